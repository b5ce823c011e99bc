/// Something the operations did that a front end may show (the CLI's `--verbose` and `--debug`) or log
/// (the daemon): the sink is injected, so the operations never print.
public enum OperationEvent: Sendable, Equatable {
    /// An agent process was started for one instance of a capture.
    case agentStarted(capture: String, location: String, instance: String, pid: Int32)
    /// A running agent was asked to stop and has exited, its status final.
    case agentStopped(capture: String, instance: String, reason: String, seconds: Double)
    /// A finished instance's capture file is at its destinations.
    case filesDelivered(capture: String, instance: String, files: [String])
    /// An instance whose agent had died was finished on its behalf (its packets trimmed and delivered).
    case recovered(capture: String, instance: String)
    /// A lock another pcapctl holds was waited for.
    case lockWaiting(path: String)
    case lockAcquired(path: String, seconds: Double)
    /// A capture record was read (detail).
    case captureLoaded(capture: String, location: String, path: String)
    /// A wait looked at the capture and its condition was not yet met (detail).
    case waitChecked(capture: String, condition: String)

    /// Detail only `--debug` shows; the rest `--verbose` shows too.
    public var isDetail: Bool {
        switch self {
        case .captureLoaded, .waitChecked: true
        default: false
        }
    }

    /// One sentence for a person.
    public var description: String {
        switch self {
        case .agentStarted(let capture, let location, let instance, let pid):
            "started capture agent pid \(pid) for '\(capture)' instance \(instance) in location '\(location)'"
        case .agentStopped(let capture, let instance, let reason, let seconds):
            "capture agent of '\(capture)' instance \(instance) stopped (\(reason)) after \(Self.seconds(seconds))"
        case .filesDelivered(let capture, let instance, let files):
            files.isEmpty
                ? "capture '\(capture)' instance \(instance) delivered no file"
                : "capture '\(capture)' instance \(instance) delivered \(files.joined(separator: ", "))"
        case .recovered(let capture, let instance):
            "the agent of '\(capture)' instance \(instance) had died; its flushed packets were trimmed and delivered"
        case .lockWaiting(let path):
            "waiting for \(path), held by another pcapctl"
        case .lockAcquired(let path, let seconds):
            "locked \(path) after waiting \(Self.seconds(seconds))"
        case .captureLoaded(let capture, let location, let path):
            "read capture '\(capture)' in location '\(location)' from \(path)"
        case .waitChecked(let capture, let condition):
            "capture '\(capture)': not yet \(condition)"
        }
    }

    private static func seconds(_ value: Double) -> String {
        let milliseconds = Int((value * 1000).rounded())
        guard milliseconds >= 1000 else { return "\(milliseconds) ms" }
        let fraction = String(milliseconds % 1000)
        return "\(milliseconds / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction) s"
    }
}

/// Where the operations report what they do.
public protocol OperationEventSink: Sendable {
    func record(_ event: OperationEvent)
}

/// The sink when nobody listens.
public struct DiscardedEvents: OperationEventSink {
    public init() {}
    public func record(_ event: OperationEvent) {}
}
