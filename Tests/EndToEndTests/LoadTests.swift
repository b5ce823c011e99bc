import Foundation
import Testing
import TestSupport

/// Many invocations at once, as scripts run them: the store stays valid, each name has one winner,
/// every exit code is a documented one, and many captures run and stop side by side.
@Suite(.enabled(if: isRoot, "capturing needs root"), .serialized)
struct LoadTests {
    @Test func twoHundredConcurrentInvocationsKeepTheStoreConsistent() throws {
        let pcapctl = Pcapctl(label: "load")
        for index in 0..<5 {
            #expect(try pcapctl.run(["create", "-n", "d\(index)", "--no-wait", "--interface", "lo", "--buffer-size", "1048576", "--file-path", "\(pcapctl.capturesRoot)/d\(index).cap"]).exitCode == 0)
        }
        let script = #"""
            set -u
            mkdir -p "$OUT"
            common="--interface lo --buffer-size 1048576 --time-limit 2"
            for i in $(seq 0 199); do
                n=n$((i % 8)); d=d$(((i / 10) % 5))
                case $((i % 10)) in
                    0|1|2|3) args="create -n $n --no-wait $common --file-path $CAPTURES/$n-$i.cap" ;;
                    4) args="show -n $n" ;;
                    5) args="show-status -n $n" ;;
                    6) args="list" ;;
                    7) args="stop -n $n" ;;
                    8) args="delete -n $d" ;;
                    9) args="wait -n $n --timeout 20" ;;
                esac
                ( "$PCAPCTL" $args >"$OUT/$i.out" 2>"$OUT/$i.err"; echo "$? $args" >"$OUT/$i.rc" ) &
            done
            wait
            """#
        pcapctl.extraEnvironment = ["PCAPCTL": Pcapctl.executable, "CAPTURES": pcapctl.capturesRoot, "OUT": pcapctl.root + "/out"]
        #expect(try runCommand("/bin/bash", ["-c", script], environment: pcapctl.environment).exitCode == 0)

        var createWins: [String: Int] = [:]
        for index in 0..<200 {
            let record = try String(contentsOfFile: "\(pcapctl.root)/out/\(index).rc", encoding: .utf8).split(separator: " ")
            let code = Int(record[0])!
            let verb = String(record[1]), name = record.count > 3 ? String(record[3]) : ""
            let stderr = try String(contentsOfFile: "\(pcapctl.root)/out/\(index).err", encoding: .utf8)
            let allowed: Set<Int> = switch verb {
            case "create": [0, 1]
            case "list": [0]
            default: [0, 3]
            }
            #expect(allowed.contains(code), "\(record.joined(separator: " ")): exit \(code): \(stderr)")
            #expect(stderr.split(separator: "\n").count <= 1)
            if verb == "create" {
                if code == 0 { createWins[name, default: 0] += 1 } else {
                    #expect(stderr.contains("PacketCaptureExistingAlready"), "\(stderr)")
                }
            }
        }
        #expect(createWins == Dictionary(uniqueKeysWithValues: (0..<8).map { ("n\($0)", 1) }))

        // Every stored file parses, nothing half-made is left, and every capture stops.
        let captures = try #require(try pcapctl.run(["list"]).jsonArray)
        // Every d was deleted (by exactly one of its four deletes; the others found it gone).
        #expect(Set(captures.compactMap { $0["name"] as? String }) == Set((0..<8).map { "n\($0)" }))
        let directory = "\(pcapctl.home)/locations/local/captures"
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix(".") }.isEmpty)
        for entry in pcapctl.filesWritten() where entry.hasSuffix(".json") {
            let data = try Data(contentsOf: URL(fileURLWithPath: pcapctl.root + "/" + entry))
            #expect((try? JSONSerialization.jsonObject(with: data)) != nil, "\(entry) is not valid JSON")
        }
        for index in 0..<8 {
            #expect(try pcapctl.run(["wait", "-n", "n\(index)", "--timeout", "20"]).exitCode == 0)
            let state = try pcapctl.run(["show-status", "-n", "n\(index)"]).json?["packetCaptureStatus"] as? String
            #expect(state == "Stopped")
        }
    }

    @Test func aHundredConcurrentCapturesRunAndStopCleanly() throws {
        let pcapctl = Pcapctl(label: "hundred")
        let script = #"""
            seq 0 99 | xargs -P 20 -I{} "$PCAPCTL" create -n c{} --no-wait --interface lo --buffer-size 1048576 --time-limit 0 --file-path "$CAPTURES/c{}.cap" -o none
            """#
        pcapctl.extraEnvironment = ["PCAPCTL": Pcapctl.executable, "CAPTURES": pcapctl.capturesRoot]
        #expect(try runCommand("/bin/bash", ["-c", script], environment: pcapctl.environment).exitCode == 0)
        #expect(try pcapctl.run(["list"]).jsonArray?.count == 100)
        for index in 0..<100 {
            var state: String?
            for _ in 0..<100 {
                state = try pcapctl.run(["show-status", "-n", "c\(index)"]).json?["packetCaptureStatus"] as? String
                if state != "NotStarted" { break }
                usleep(50_000)
            }
            #expect(state == "Running", "c\(index) is \(state ?? "?")")
        }
        let port = UDPTraffic.uniquePort()
        UDPTraffic.send(count: 20, payloadSize: 20, port: port)
        let stop = #"seq 0 99 | xargs -P 20 -I{} "$PCAPCTL" stop -n c{}"#
        #expect(try runCommand("/bin/bash", ["-c", stop], environment: pcapctl.environment).exitCode == 0)
        for index in 0..<100 {
            let status = try pcapctl.run(["show-status", "-n", "c\(index)"]).json
            #expect(status?["packetCaptureStatus"] as? String == "Stopped")
            #expect(status?["stopReason"] as? String == "StopRequested")
        }
        for index in stride(from: 0, to: 100, by: 9) {
            #expect(try ReadBack.tcpdumpCount("\(pcapctl.capturesRoot)/c\(index).cap", "udp and dst port \(port)") == 20)
        }
    }

    @Test func theSessionLimitIsEnforcedPerLocation() throws {
        let pcapctl = Pcapctl(label: "limit")
        pcapctl.extraEnvironment = ["PCAPCTL_MAX_SESSIONS": "3"]
        for index in 0..<3 {
            #expect(try pcapctl.run(["create", "-n", "s\(index)", "--interface", "lo", "--buffer-size", "1048576", "--file-path", "\(pcapctl.capturesRoot)/s\(index).cap", "-o", "none"]).exitCode == 0)
        }
        let refused = try pcapctl.run(["create", "-n", "s3", "--interface", "lo", "--file-path", "\(pcapctl.capturesRoot)/s3.cap"])
        #expect(refused.exitCode == 1)
        #expect(refused.standardError.contains("PacketCaptureLimitReached"))
        #expect(try pcapctl.run(["show", "-n", "s3"]).exitCode == 3)
        // Another location has its own count; a stopped capture frees its place.
        #expect(try pcapctl.run(["create", "-n", "s3", "-l", "other", "--interface", "lo", "--buffer-size", "1048576", "--file-path", "\(pcapctl.capturesRoot)/o.cap", "-o", "none"]).exitCode == 0)
        #expect(try pcapctl.run(["stop", "-n", "s0"]).exitCode == 0)
        #expect(try pcapctl.run(["create", "-n", "s3", "--interface", "lo", "--buffer-size", "1048576", "--file-path", "\(pcapctl.capturesRoot)/s3.cap", "-o", "none"]).exitCode == 0)

        // The limit counts only captures marked live, and a create unmarks those whose agents have ended:
        // the stopped s0 at once, then a deleted one and one whose agent was killed.
        let live = "\(pcapctl.home)/locations/local/live"
        #expect(try FileManager.default.contentsOfDirectory(atPath: live).sorted() == ["s1", "s2", "s3"])
        #expect(try pcapctl.run(["delete", "-n", "s1"]).exitCode == 0)
        let pid = try #require(try pcapctl.run(["show-status", "-n", "s2"]).json?["agentPid"] as? Int)
        kill(pid_t(pid), SIGKILL)
        for _ in 0..<200 where kill(pid_t(pid), 0) == 0 { usleep(10_000) }
        for name in ["s4", "s5"] {
            #expect(try pcapctl.run(["create", "-n", name, "--interface", "lo", "--buffer-size", "1048576", "--file-path", "\(pcapctl.capturesRoot)/\(name).cap", "-o", "none"]).exitCode == 0)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: live).sorted() == ["s3", "s4", "s5"])
        #expect(try pcapctl.run(["create", "-n", "s6", "--interface", "lo", "--file-path", "\(pcapctl.capturesRoot)/s6.cap"]).exitCode == 1)
    }
}
