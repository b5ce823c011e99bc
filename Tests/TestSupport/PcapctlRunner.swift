import Foundation

/// What one run of a command printed and how it exited.
public struct CommandResult: Sendable {
    public var exitCode: Int32
    public var standardOutput: String
    public var standardError: String

    /// stdout parsed as a JSON object (nil if it is not one).
    public var json: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(standardOutput.utf8))) as? [String: Any]
    }

    /// stdout parsed as a JSON array of objects (nil if it is not one).
    public var jsonArray: [[String: Any]]? {
        (try? JSONSerialization.jsonObject(with: Data(standardOutput.utf8))) as? [[String: Any]]
    }
}

/// Runs a program to completion with its output sent to files (so a full pipe can never block it).
public func runCommand(_ executable: String, _ arguments: [String], environment: [String: String]? = nil, standardInput: String? = nil) throws -> CommandResult {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pcapctl-run-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let outURL = directory.appendingPathComponent("out"), errURL = directory.appendingPathComponent("err")
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let environment { process.environment = environment }
    let outHandle = try FileHandle(forWritingTo: outURL), errHandle = try FileHandle(forWritingTo: errURL)
    process.standardOutput = outHandle
    process.standardError = errHandle
    if let standardInput {
        let inURL = directory.appendingPathComponent("in")
        try Data(standardInput.utf8).write(to: inURL)
        process.standardInput = try FileHandle(forReadingFrom: inURL)
    } else {
        process.standardInput = FileHandle.nullDevice
    }
    try process.run()
    process.waitUntilExit()
    try outHandle.close()
    try errHandle.close()
    return CommandResult(
        exitCode: process.terminationStatus,
        standardOutput: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
        standardError: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
}

/// The built `pcapctl`, run against a private state directory and captures root of its own.
public final class Pcapctl: @unchecked Sendable {
    /// The binary next to the test bundle (`.build/debug/pcapctl`), as SwiftPM's own tests find theirs.
    public static let executable: String = {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        for _ in 0..<6 {
            url.deleteLastPathComponent()
            let candidate = url.appendingPathComponent("pcapctl").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        let fallback = FileManager.default.currentDirectoryPath + "/.build/debug/pcapctl"
        return fallback
    }()

    public let root: String
    public var home: String { root + "/state" }
    public var capturesRoot: String { root + "/captures" }
    public var storageRoot: String { root + "/storage" }
    public var extraEnvironment: [String: String] = [:]

    public init(label: String = "e2e") {
        root = "/tmp/pcapctl-test-\(label)-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    deinit {
        // Leave nothing running: stop whatever this test started, then remove its files.
        if let names = try? FileManager.default.contentsOfDirectory(atPath: home + "/locations") {
            for location in names {
                let captures = (try? FileManager.default.contentsOfDirectory(atPath: "\(home)/locations/\(location)/captures")) ?? []
                for name in captures where !name.hasPrefix(".") {
                    _ = try? run(["stop", "-n", name, "-l", location])
                }
            }
        }
        try? FileManager.default.removeItem(atPath: root)
    }

    public var environment: [String: String] {
        var variables = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PCAPCTL_") }
        variables["PCAPCTL_HOME"] = home
        variables["PCAPCTL_CAPTURES_ROOT"] = capturesRoot
        variables["PCAPCTL_STORAGE_ROOT"] = storageRoot
        variables.merge(extraEnvironment) { $1 }
        return variables
    }

    @discardableResult
    public func run(_ arguments: [String]) throws -> CommandResult {
        try runCommand(Self.executable, arguments, environment: environment)
    }

    /// The file a running single-VM capture grows in the state directory: what it has flushed so far.
    public func partialCapture(_ name: String) -> String {
        "\(home)/locations/local/captures/\(name)/instances/vm/capture.partial.cap"
    }

    /// Whether no agent holds the lock of single-VM capture `name`: what pcapctl takes for "the agent is gone".
    public func agentLockIsFree(_ name: String) -> Bool {
        let descriptor = open("\(home)/locations/local/captures/\(name)/instances/vm/agent.lock", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return true }
        defer { close(descriptor) }
        return flock(descriptor, LOCK_SH | LOCK_NB) == 0
    }

    /// Packets matching a tcpdump `expression` that the capture `name` has flushed so far (0 while its file
    /// cannot be read).
    public func packetsFlushed(_ name: String, _ expression: String) -> Int {
        guard let result = try? runCommand("/usr/bin/env", ["tcpdump", "-nn", "-r", partialCapture(name), expression]), result.exitCode == 0 else { return 0 }
        return result.standardOutput.split(separator: "\n").count
    }

    /// Every file and directory under the test's root, for "nothing was written" checks.
    public func filesWritten() -> [String] {
        (FileManager.default.enumerator(atPath: root)?.allObjects as? [String]) ?? []
    }
}

public var isRoot: Bool { geteuid() == 0 }
