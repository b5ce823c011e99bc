import Glibc

/// UTC wall-clock instants in the forms Azure uses: ISO 8601 for JSON, and the pieces of blob names.
public struct Timestamp: Sendable, Equatable {
    public var seconds: Int
    public var milliseconds: Int

    public static func now() -> Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(seconds: Int(spec.tv_sec), milliseconds: Int(spec.tv_nsec) / 1_000_000)
    }

    public init(seconds: Int, milliseconds: Int) {
        self.seconds = seconds
        self.milliseconds = milliseconds
    }

    private var fields: tm {
        var time = time_t(seconds)
        var result = tm()
        gmtime_r(&time, &result)
        return result
    }

    /// `2026-11-22T13:40:01.123Z`
    public var iso8601: String {
        let t = fields
        return "\(pad(Int(t.tm_year) + 1900, 4))-\(pad(Int(t.tm_mon) + 1))-\(pad(Int(t.tm_mday)))T"
            + "\(pad(Int(t.tm_hour))):\(pad(Int(t.tm_min))):\(pad(Int(t.tm_sec))).\(pad(milliseconds, 3))Z"
    }

    /// `2026/11/22`: the date directories of Azure's blob layout.
    public var datePath: String {
        let t = fields
        return "\(pad(Int(t.tm_year) + 1900, 4))/\(pad(Int(t.tm_mon) + 1))/\(pad(Int(t.tm_mday)))"
    }

    /// `20261122134001`: the start of a continuous capture's file in its name.
    public var compactStamp: String {
        let t = fields
        return "\(pad(Int(t.tm_year) + 1900, 4))\(pad(Int(t.tm_mon) + 1))\(pad(Int(t.tm_mday)))\(pad(Int(t.tm_hour)))\(pad(Int(t.tm_min)))\(pad(Int(t.tm_sec)))"
    }

    /// `packetcapture_13_40_01_123.cap`: Azure's blob name.
    public var blobFileName: String {
        let t = fields
        return "packetcapture_\(pad(Int(t.tm_hour)))_\(pad(Int(t.tm_min)))_\(pad(Int(t.tm_sec)))_\(pad(milliseconds, 3)).cap"
    }

    private func pad(_ value: Int, _ width: Int = 2) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
