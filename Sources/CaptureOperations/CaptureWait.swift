import ControlPlane
import Glibc
import SystemCalls

/// What `wait` waits for: az's conditions, which look at the resource as a GET returns it, and pcapctl's
/// own, which looks at the capture's status.
public enum WaitCondition: Sendable {
    /// The resource exists with provisioningState Succeeded; not found yet keeps waiting.
    case created
    /// As `created`, but a capture that is not there is an error, not something to wait for.
    case updated
    /// The resource is gone.
    case deleted
    /// The resource exists, whatever its state.
    case exists
    /// A predicate over the resource holds (az's `--custom JMESPATH`); not found yet keeps waiting.
    case custom(@Sendable (CaptureView) throws(PcapCtlError) -> Bool)
    /// pcapctl's own: every instance has stopped (or failed) and its file is final.
    case stopped

    /// What the capture is to be, in messages: "created", "stopped".
    public var words: String {
        switch self {
        case .created: "created"
        case .updated: "updated"
        case .deleted: "deleted"
        case .exists: "there"
        case .custom: "matching the custom condition"
        case .stopped: "stopped"
        }
    }
}

public enum WaitOutcome: Sendable, Equatable {
    case met
    case timedOut
}

extension PacketCaptureOperations {
    /// How often a wait looks at local state, whatever the caller's interval: a look is a few file reads.
    public static let waitCheckPeriod = 0.05

    /// Waits until `condition` holds for the capture, checking every `interval` seconds or
    /// `waitCheckPeriod`, whichever is sooner, for at most `timeout` seconds (nil: no limit).
    ///
    /// As az's wait: a capture whose provisioning failed ends a `created`, `updated` or `custom` wait with
    /// an error, and a capture that is not there is waited for except by `updated` (and `stopped`), which
    /// report it as not found.
    public func wait(for reference: CaptureReference, until condition: WaitCondition, timeout: Double?, interval: Double) throws(PcapCtlError) -> WaitOutcome {
        let deadline = timeout.map { MonotonicClock.seconds() + $0 }
        let period = max(0.001, min(interval, Self.waitCheckPeriod))
        var reported = -Double.infinity
        while true {
            if try isMet(condition, reference) { return .met }
            // Told once per caller's interval, as often as az would have looked.
            if MonotonicClock.seconds() - reported >= interval {
                reported = MonotonicClock.seconds()
                events.record(.waitChecked(capture: reference.name, condition: condition.words))
            }
            if let deadline, MonotonicClock.seconds() >= deadline { return .timedOut }
            usleep(useconds_t(period * 1_000_000))
        }
    }

    private func isMet(_ condition: WaitCondition, _ reference: CaptureReference) throws(PcapCtlError) -> Bool {
        let view: CaptureView
        do throws(PcapCtlError) { view = try get(reference) } catch {
            guard error.kind == .notFound else { throw error }
            switch condition {
            case .deleted: return true
            case .created, .exists, .custom: return false
            case .updated, .stopped: throw error
            }
        }
        switch condition {
        case .deleted: return false
        case .exists: return true
        case .stopped:
            let statuses = try instanceStatuses(view.capture)
            guard statuses.allSatisfy({ $0.1.isFinal }) else { return false }
            for (instance, status) in statuses {
                events.record(.filesDelivered(capture: view.capture.name, instance: instance.key, files: status.files))
            }
            return true
        case .created, .updated, .custom:
            if view.resource.provisioningState == ProvisioningState.failed {
                throw .failure("the operation failed: capture '\(view.capture.name)' has provisioningState Failed; see 'pcapctl show-status -n \(view.capture.name) -l \(view.capture.location)'")
            }
            if case .custom(let predicate) = condition { return try predicate(view) }
            return view.resource.provisioningState == ProvisioningState.succeeded
        }
    }
}
