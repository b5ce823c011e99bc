/// Rules for names and paths that end up in file system paths and resource ids.
public enum Validation {
    /// Azure's packet capture names: 1 to 80 characters, letters, digits, `_`, `.`, `-`, starting with a
    /// letter or digit and not ending with `.`. This also keeps names safe as directory names.
    public static func isResourceName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...80).contains(bytes.count), let first = bytes.first, let last = bytes.last else { return false }
        guard isAlphanumeric(first), last != UInt8(ascii: ".") else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }

    /// Checks a capture name and says which rule it broke.
    public static func checkName(_ name: String) throws(PcapCtlError) {
        guard isResourceName(name) else {
            throw .usage("name", "'\(printable(name))' is not a valid name: use 1-80 letters, digits, '_', '.' or '-', starting with a letter or digit and not ending with '.'")
        }
    }

    /// Locations are lower-cased, as Azure compares them case-insensitively.
    public static func normalizeLocation(_ location: String) throws(PcapCtlError) -> String {
        let bytes = Array(location.utf8)
        guard (1...64).contains(bytes.count),
            bytes.allSatisfy({ isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }),
            isAlphanumeric(bytes[0])
        else {
            throw .usage("location", "'\(printable(location))' is not a valid location: use 1-64 letters, digits, '-' or '_', starting with a letter or digit")
        }
        return location.lowercased()
    }

    /// Resolves `--file-path` to a path relative to the captures root, refusing anything that escapes it.
    /// `parameter` is the field the path came in (`storageLocation.filePath`, or `localPath` for a ring).
    public static func relativeCapturePath(_ filePath: String, capturesRoot: String, parameter: String = "storageLocation.filePath") throws(PcapCtlError) -> String {
        guard filePath.hasSuffix(".cap") else {
            throw .usage(parameter, "'\(printable(filePath))' must end with the '*.cap' extension")
        }
        guard filePath.hasPrefix("/") else {
            throw .usage(parameter, "'\(printable(filePath))' must be an absolute path beneath \(capturesRoot)")
        }
        let components = filePath.split(separator: "/", omittingEmptySubsequences: true)
        guard !components.contains(where: { $0 == ".." || $0 == "." }), !filePath.utf8.contains(0) else {
            throw .usage(parameter, "'\(printable(filePath))' must not contain '.' or '..' components")
        }
        let rootComponents = capturesRoot.split(separator: "/", omittingEmptySubsequences: true)
        guard components.count > rootComponents.count, Array(components.prefix(rootComponents.count)) == rootComponents else {
            throw .usage(parameter, "'\(printable(filePath))' must lie beneath the captures root \(capturesRoot)")
        }
        let relative = components.dropFirst(rootComponents.count)
        guard relative.allSatisfy({ $0.utf8.count <= 255 }), relative.last != ".cap" else {
            throw .usage(parameter, "'\(printable(filePath))' must name a file such as \(capturesRoot)/NAME.cap")
        }
        return relative.joined(separator: "/")
    }

    /// Makes a user value safe to echo on one line: control characters become `?`, long values are cut.
    public static func printable(_ value: String) -> String {
        let cleaned = String(value.unicodeScalars.map { $0.properties.generalCategory == .control ? "?" : Character($0) })
        return cleaned.count > 120 ? String(cleaned.prefix(117)) + "..." : cleaned
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
