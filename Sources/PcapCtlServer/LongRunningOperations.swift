import FoundationEssentials
import Glibc
import HTTPTypes
import NIOPosix

/// ARM's long-running operations: each runs on the blocking pool from the moment it is accepted,
/// whether or not anyone polls, and is looked up by id from the Azure-AsyncOperation and Location URLs.
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

    private var records: [String: Record] = [:]
    /// Finished operations are kept this long for late pollers, and at most `capacity` of them.
    static let retentionSeconds = 3600.0
    static let capacity = 10_000

    /// Starts `work` on the pool and returns the operation's id at once.
    func start(location: String, finalStatus: HTTPResponse.Status, pool: NIOThreadPool, work: @escaping @Sendable () throws(ARMError) -> Void) -> String {
        prune()
        let id = UUID().uuidString.lowercased()
        records[id] = Record(state: .inProgress, location: location, finalStatus: finalStatus)
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
        return id
    }

    func record(_ id: String) -> Record? { records[id] }

    private func finish(_ id: String, _ state: State) {
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
