/// A whole-number request field: its name, range and default, declared once and read by every front end
/// (the CLI's parser and `--help`, the daemon's request decoder) and by the planner's check.
public struct UnsignedField: Sendable, Equatable {
    /// The field as ARM spells it below `properties`.
    public let parameter: String
    public let range: ClosedRange<UInt64>
    public let defaultValue: UInt64

    public init(_ parameter: String, _ range: ClosedRange<UInt64>, default defaultValue: UInt64) {
        self.parameter = parameter
        self.range = range
        self.defaultValue = defaultValue
    }

    /// Refuses a value outside the range, in az's words.
    public func check(_ value: UInt64) throws(PcapCtlError) {
        if value > range.upperBound { throw .usage(parameter, "Invalid format: '\(value)' is greater than \(range.upperBound)") }
        if value < range.lowerBound { throw .usage(parameter, "Invalid format: '\(value)' is less than \(range.lowerBound)") }
    }
}

/// A field that takes one of a fixed set of words, matched case-insensitively as az does.
public struct ChoiceField: Sendable, Equatable {
    public let parameter: String
    public let choices: [String]
    public let defaultValue: String

    public init(_ parameter: String, _ choices: [String], default defaultValue: String) {
        self.parameter = parameter
        self.choices = choices
        self.defaultValue = defaultValue
    }

    /// The value as the set spells it, or az's error.
    public func match(_ text: String) throws(PcapCtlError) -> String {
        guard let match = choices.first(where: { $0.lowercased() == text.lowercased() }) else {
            throw .usage(parameter, "unrecognized value '\(Validation.printable(text))' from choices '[\(choices.joined(separator: ", "))]'")
        }
        return match
    }
}

/// The create request's fields with ranges and defaults: Azure's (PacketCaptureParameters) and pcapctl's own.
public enum CaptureFields {
    public static let bytesToCapturePerPacket = UnsignedField("bytesToCapturePerPacket", 0...4_294_967_295, default: 0)
    /// The smallest capture size other than 0 (pcapctl's). On the `any` device libpcap raises anything
    /// smaller to 21 (a 20-byte cooked header plus a byte), so the file would not say what the resource
    /// says; and a size below the link header keeps nothing of the packet.
    public static let minimumBytesToCapturePerPacket: UInt64 = 21
    public static let totalBytesPerSession = UnsignedField("totalBytesPerSession", 0...4_294_967_295, default: 1_073_741_824)
    public static let timeLimitInSeconds = UnsignedField("timeLimitInSeconds", 0...18000, default: 18000)
    public static let targetType = ChoiceField("targetType", TargetType.allCases.map(\.rawValue), default: TargetType.azureVM.rawValue)
    /// The kernel ring per agent (pcapctl's): large enough that a busy host's stalls lose nothing (docs/benchmarks.md).
    public static let bufferSize = UnsignedField("bufferSize", (1 << 20)...(1 << 30), default: 32 << 20)
    /// The smallest file that can hold anything: a pcap file header.
    public static let minimumSessionBytes: UInt64 = 24
    /// A continuous capture's files (PacketCaptureSettings). For each, 0 means no limit, as for the
    /// session limits above: no count (nothing is rotated out, `false` never fills), no size (one file),
    /// no time.
    public static let fileCount = UnsignedField("captureSettings.fileCount", 0...10000, default: 10)
    public static let fileSizeInBytes = UnsignedField("captureSettings.fileSizeInBytes", 0...4_294_967_295, default: 104_857_600)
    public static let sessionTimeLimitInSeconds = UnsignedField("captureSettings.sessionTimeLimitInSeconds", 0...604_800, default: 86400)
    /// The smallest file size other than 0 (pcapctl's): dumpcap's smallest, 1 kB. Smaller files would hold
    /// a packet or two each.
    public static let minimumFileSizeInBytes: UInt64 = 1024
}
