import FuzzDriver
import ControlPlane
import PcapCtlCLI

/// One libFuzzer input: NUL-separated words, parsed as a command line, then the words also tried as
/// the values create validates (names, paths, locations). Nothing is run and nothing is written.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzArguments(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let words = UnsafeBufferPointer(start: data, count: size).split(separator: 0, omittingEmptySubsequences: false)
        .map { String(decoding: $0, as: UTF8.self) }
    _ = try? ArgumentParser.parse(words, verbs: PcapCtl.verbs)
    for word in words.prefix(8) {
        _ = try? Validation.checkName(word)
        _ = try? Validation.normalizeLocation(word)
        _ = try? Validation.relativeCapturePath(word, capturesRoot: "/var/captures")
        _ = Validation.printable(word)
    }
    return 0
}

/// SwiftPM links an executable's entry point as `FuzzArguments_main`; hand control to libFuzzer's driver.
@_cdecl("FuzzArguments_main")
public func fuzzArgumentsMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runLibFuzzer(argc, argv, fuzzArguments)
}
