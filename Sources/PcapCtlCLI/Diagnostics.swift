import ControlPlane

/// What the command line says on stderr besides errors: warnings (unless `--only-show-errors`) and, with
/// `--verbose` or `--debug`, what the operations did, one `pcapctl: info: ...` or `pcapctl: debug: ...`
/// line each.
public struct Diagnostics: OperationEventSink {
    public enum Level: Int, Sendable, Comparable {
        case quiet, verbose, debug
        public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
    }

    public var level: Level
    public var showsWarnings: Bool

    public init(level: Level = .quiet, showsWarnings: Bool = true) {
        self.level = level
        self.showsWarnings = showsWarnings
    }

    /// From the global flags.
    init(_ options: ParsedOptions) {
        self.init(
            level: options.has(CommonOptions.debug) ? .debug : options.has(CommonOptions.verbose) ? .verbose : .quiet,
            showsWarnings: !options.has(CommonOptions.onlyShowErrors))
    }

    public func record(_ event: OperationEvent) {
        if event.isDetail { debug(event.description) } else { info(event.description) }
    }

    /// A line besides the result that is not an error (`warning: ...`, where kept packets are), which
    /// `--only-show-errors` suppresses.
    func notice(_ message: String) {
        if showsWarnings { Output.writeNotice(message) }
    }

    func info(_ message: String) {
        if level >= .verbose { Output.writeNotice("info: \(message)") }
    }

    func debug(_ message: String) {
        if level >= .debug { Output.writeNotice("debug: \(message)") }
    }
}
