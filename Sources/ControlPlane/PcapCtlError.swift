/// An error the user sees as one line on stderr, with the exit code scripts branch on.
///
/// Usage errors (exit 2) are refused before anything is written; a missing capture exits 3 as `az` does
/// for a missing resource; everything else that goes wrong in the environment exits 1.
public struct PcapCtlError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Code: Sendable, Equatable {
        /// Bad input: an unknown flag, a value out of range, a malformed filter.
        case usage
        /// The named capture (or target) does not exist.
        case notFound
        /// The environment failed: a file system error, a dead agent, a limit reached.
        case failure
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public static func usage(_ message: String) -> Self { Self(.usage, message) }
    public static func notFound(_ message: String) -> Self { Self(.notFound, message) }
    public static func failure(_ message: String) -> Self { Self(.failure, message) }

    public var description: String { message }

    public var exitCode: Int32 {
        switch code {
        case .usage: ExitCode.usage
        case .notFound: ExitCode.notFound
        case .failure: ExitCode.failure
        }
    }
}

/// The exit codes pcapctl documents (docs/reference.md).
public enum ExitCode {
    public static let success: Int32 = 0
    public static let failure: Int32 = 1
    public static let usage: Int32 = 2
    public static let notFound: Int32 = 3
}
