import Foundation
import Testing
import TestSupport

/// Arguments arrive as bytes; pcapctl takes only UTF-8 text, so no path silently turns into another one.
@Suite struct ArgumentEncodingTests {
    /// Runs pcapctl through bash, whose `$'\xff'` quoting puts a byte that is not UTF-8 into argv.
    func runWithRawByte(_ pcapctl: Pcapctl, _ script: String) throws -> CommandResult {
        try runCommand("/bin/bash", ["-c", script, Pcapctl.executable, pcapctl.capturesRoot], environment: pcapctl.environment)
    }

    @Test func aNonUTF8FilePathIsRefusedWithNothingWritten() throws {
        let pcapctl = Pcapctl(label: "utf8")
        for script in [
            #"exec "$0" create -n u --interface lo --time-limit 1 --file-path "$1"/caf$'\xe9'.cap"#,
            #"exec "$0" create -n u --interface lo --time-limit 1 --file-path="$1"/caf$'\xe9'.cap"#,
        ] {
            let result = try runWithRawByte(pcapctl, script)
            #expect(result.exitCode == 2, "\(result.standardError)")
            #expect(result.standardError == "pcapctl: error: --file-path: the value is not valid UTF-8; pcapctl takes UTF-8 text only\n")
            #expect(result.standardOutput.isEmpty)
            #expect(pcapctl.filesWritten().isEmpty, "\(pcapctl.filesWritten())")
        }
        let download = try runWithRawByte(pcapctl, #"exec "$0" download -n u --file "$1"/$'\xff'"#)
        #expect(download.exitCode == 2)
        #expect(download.standardError.contains("--file: the value is not valid UTF-8"))
        #expect(pcapctl.filesWritten().isEmpty)
    }
}
