import ARMRequests
import Glibc
import HTTPTypes
import NIOPosix

/// ARM's long-running operations: each runs on the blocking pool from the moment it is accepted,
/// whether or not anyone polls, and is looked up by its id (`OperationID`) from the
/// Azure-AsyncOperation and Location URLs. The id names the capture and what is done to it, so an
/// operation this process does not know (begun before a restart) is taken up again from the store
/// (`ARMService.resume`), and the clients' pollers finish.
actor LongRunningOperations {
    enum State: Sendable {
        case inProgress
        case succeeded
        case failed(ARMError)
    }

    struct Record: Sendable {
        var state: State
        var location: String
        var finishedAt: Double?
        /// What the Location URL answers (with no body) once the operation succeeded: 200 for stop, 204 for delete.
        var finalStatus: HTTPResponse.Status
    }

    private var records: [OperationID: Record] = [:]
    /// Finished operations are kept this long for late pollers, and at most `capacity` of them; a
    /// forgotten one is taken up again like one from before a restart.
    static let retentionSeconds = 3600.0
    static let capacity = 10_000

    static func finalStatus(_ kind: OperationID.Kind) -> HTTPResponse.Status {
        kind == .delete ? .noContent : .ok
    }

    /// Starts `work` on the pool unless the same operation is already in progress (a second stop of the
    /// same capture joins the first).
    func start(_ id: OperationID, location: String, pool: NIOThreadPool, work: @escaping @Sendable () throws(ARMError) -> Void) {
        if let record = records[id], case .inProgress = record.state { return }
        prune()
        records[id] = Record(state: .inProgress, location: location, finalStatus: Self.finalStatus(id.kind))
        Task {
            let outcome: State
            do {
                try await pool.runIfActive(work)
                outcome = .succeeded
            } catch let error as ARMError {
                outcome = .failed(error)
            } catch {
                outcome = .failed(ARMError(.internalServerError, "InternalServerError", "the operation could not run: the server is shutting down"))
            }
            self.finish(id, outcome)
        }
    }

    /// Records an operation whose outcome the store already shows, with nothing left to run.
    func settle(_ id: OperationID, location: String, _ state: State) {
        prune()
        records[id] = Record(state: state, location: location, finishedAt: Self.now(), finalStatus: Self.finalStatus(id.kind))
    }

    func record(_ id: OperationID) -> Record? { records[id] }

    private func finish(_ id: OperationID, _ state: State) {
        records[id]?.state = state
        records[id]?.finishedAt = Self.now()
    }

    private func prune() {
        let now = Self.now()
        records = records.filter { _, record in record.finishedAt.map { now - $0 < Self.retentionSeconds } ?? true }
        if records.count >= Self.capacity {
            let oldest = records.filter { $0.value.finishedAt != nil }.sorted { $0.value.finishedAt! < $1.value.finishedAt! }
            for (id, _) in oldest.prefix(records.count - Self.capacity + 1) { records[id] = nil }
        }
    }

    private static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}
