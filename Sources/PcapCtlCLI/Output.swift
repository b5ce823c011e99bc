import AzOutput
import ControlPlane
import Glibc
import JMESPath
import OrderedJSON
import SystemCalls

/// Where results and errors go: results to stdout as az renders them (`-o`, after `--query`), errors to
/// stderr as one line.
public struct Output: Sendable {
    public var format: AzOutputFormat
    /// `--query`, compiled when the command line was read.
    public var query: JMESPathExpression?
    /// Whether jsonc and yamlc get colour: as az, only when stdout is a terminal.
    public var colour: Bool
    /// Why writing to stdout failed (not a closed reader), if it did; the process then exits 1 with
    /// `pcapctl: write error: ...`, as coreutils does.
    public private(set) var writeFailure: String?

    public init(format: AzOutputFormat, query: JMESPathExpression? = nil, colour: Bool = isatty(STDOUT_FILENO) == 1) {
        self.format = format
        self.query = query
        self.colour = colour
    }

    /// `-o/--output`'s values and default, as az's.
    static let formatField = ChoiceField("output", AzOutputFormat.allCases.map(\.rawValue), default: AzOutputFormat.json.rawValue)

    /// What a verb prints, as far as rendering cares. For az's resources, the top-level members az's
    /// schema has: az drops every other member, so pcapctl's extras (counters, instances, files) stay in
    /// json and yaml but stay out of table and tsv, whose columns scripts read by position.
    public struct View: Sendable {
        /// nil for a result that is not one of az's resources (shown whole, no az rules applied).
        var azMembers: Set<String>?
        /// The columns of a table view of pcapctl's own, in its order (as an az table transformer gives).
        var tableColumns: [String]?

        public static let plain = View(azMembers: nil)
        /// `continuousCapture` and `captureSettings` are members of the newer api's schema (az's
        /// network-watcher group); only a continuous capture has them.
        public static let resource = View(azMembers: ["bytesToCapturePerPacket", "captureSettings", "continuousCapture", "etag", "filters", "id", "name", "provisioningState", "resourceGroup", "scope", "storageLocation", "target", "targetType", "timeLimitInSeconds", "totalBytesPerSession"])
        public static let status = View(azMembers: ["captureStartTime", "id", "name", "packetCaptureError", "packetCaptureStatus", "resourceGroup", "stopReason"])

        /// A view of pcapctl's own (az has none like it): tsv adds `columns` to az's fields, and a table
        /// shows just `columns`, in that order, as az's table transformers do.
        public func table(_ columns: [String]) -> View {
            View(azMembers: azMembers.map { $0.union(columns) }, tableColumns: columns)
        }
    }

    /// Prints a result: for az's resources az's JSON rules (null-valued members dropped, `resourceGroup`
    /// taken from `id`), then `--query`, then the format. A null result prints nothing, as in az.
    public mutating func print<T: Encodable>(_ value: T, view: View = .plain) throws(PcapCtlError) {
        let json = JSONValue(encoding: value)
        try print(json: view.azMembers == nil ? json : Self.azShaped(json), view: view)
    }

    /// Prints a JSON result as `print` does, after the az rules.
    mutating func print(json value: JSONValue, view: View = .plain, printsNull: Bool = false) throws(PcapCtlError) {
        var result = value
        var tableTransformed = false
        if let query {
            do throws(JMESPathError) { result = try query.search(value) } catch {
                throw .failure("--query: \(error.kind.rawValue) error: \(error.message)")
            }
        } else if format == .table, let columns = view.tableColumns {
            result = Self.picked(value, columns)
            tableTransformed = true
        } else if format == .table || format == .tsv, let members = view.azMembers {
            result = Self.restricted(value, to: members)
        }
        if case .null = result, !printsNull || format != .json { return }
        write(AzRenderer(format: format, queryActive: query != nil, tableTransformed: tableTransformed, colour: colour).render(result))
    }

    /// The value (or each element of a list) with just `columns`, in that order.
    private static func picked(_ value: JSONValue, _ columns: [String]) -> JSONValue {
        switch value {
        case .array(let elements): .array(elements.map { picked($0, columns) })
        case .object: .object(columns.compactMap { column in value[column].map { (column, $0) } })
        default: value
        }
    }

    /// Writes to stdout unless an earlier write failed.
    mutating func write(_ text: String) {
        guard writeFailure == nil else { return }
        writeFailure = Self.writeStandardOutput(text)
    }

    /// What az does to a resource before printing it, at every depth: members whose value is null are
    /// dropped, and an object with an `id` but no `resourceGroup` gets the group named in the id.
    static func azShaped(_ value: JSONValue) -> JSONValue {
        switch value {
        case .array(let elements):
            return .array(elements.map(azShaped))
        case .object(let members):
            var shaped: [(key: String, value: JSONValue)] = members.compactMap { member in
                if case .null = member.value { return nil }
                return (member.key, azShaped(member.value))
            }
            if !shaped.contains(where: { $0.key.lowercased() == "resourcegroup" }), case .string(let id)? = value["id"],
               let group = resourceGroup(in: id) {
                let position = shaped.firstIndex { $0.key.unicodeScalars.lexicographicallyPrecedes("resourceGroup".unicodeScalars) == false } ?? shaped.endIndex
                shaped.insert(("resourceGroup", .string(group)), at: position)
            }
            return .object(shaped)
        default:
            return value
        }
    }

    /// The segment after `resourceGroups/` in an ARM id, matched without regard to case as ARM does.
    static func resourceGroup(in id: String) -> String? {
        let segments = id.split(separator: "/")
        guard let index = segments.firstIndex(where: { $0.lowercased() == "resourcegroups" }), index + 1 < segments.count else { return nil }
        return String(segments[index + 1])
    }

    /// The value (or each element of a list) with only the given top-level members.
    private static func restricted(_ value: JSONValue, to members: Set<String>) -> JSONValue {
        switch value {
        case .array(let elements): .array(elements.map { restricted($0, to: members) })
        case .object(let all): .object(all.filter { members.contains($0.key) })
        default: value
        }
    }

    /// Writes the whole text to stdout. Returns why it failed, or nil when it was written or when the
    /// reader went away (`pcapctl list | head -1`: a closed pipe ends the output quietly).
    @discardableResult
    public static func writeStandardOutput(_ text: String) -> String? {
        write(text, to: STDOUT_FILENO)
    }

    /// One line on stderr, as `pcapctl: error: ...`.
    public static func writeError(_ message: String) {
        writeNotice("error: \(message)")
    }

    /// One line on stderr, as `pcapctl: ...`: what happened besides the result (a kept file, a skipped record).
    public static func writeNotice(_ message: String) {
        let oneLine = message.split(whereSeparator: \.isNewline).joined(separator: " ")
        write("pcapctl: \(oneLine)\n", to: STDERR_FILENO)
    }

    /// `pcapctl: write error: REASON` on stderr, coreutils' wording.
    static func writeWriteError(_ reason: String) {
        write("pcapctl: write error: \(reason)\n", to: STDERR_FILENO)
    }

    /// Writes with write(2), unbuffered, so nothing is lost if the process exits next and a line is never
    /// split between threads. EPIPE is a closed reader, not a failure.
    @discardableResult
    private static func write(_ text: String, to descriptor: Int32) -> String? {
        do throws(Errno) {
            try StandardStream.write(text, to: descriptor)
            return nil
        } catch {
            return error.rawValue == EPIPE ? nil : error.description
        }
    }
}
