import OrderedJSON

/// `-o table`, knack's automatic table through tabulate's "simple" layout: for each item (the result,
/// or each element of a list result) its scalar, non-null members but `id`, `type` and `etag`, names
/// with the first letter upper-cased, sorted unless a query chose them; a scalar item is a `Result`
/// column, a list item `Column1`, `Column2`, ... Columns are as wide as their widest cell and at least
/// two wider than their header, two spaces apart, every cell left-aligned, trailing blanks trimmed.
enum AzTable {
    private static let skippedKeys: Set<String> = ["id", "type", "etag"]

    static func render(_ value: JSONValue, sortsKeys: Bool) -> String {
        let items: [JSONValue] = if case .array(let elements) = value { elements } else { [value] }
        let rows = items.map { row($0, sortsKeys: sortsKeys) }
        // Headers in order of first appearance across rows, as tabulate takes dict keys.
        var headers: [String] = []
        for row in rows {
            for (header, _) in row where !headers.contains(header) { headers.append(header) }
        }
        guard !headers.isEmpty else { return "\n" }
        // tabulate lays every row out line by line once any cell has a line break; a row whose cells are
        // all empty then has no lines at all.
        let multiline = rows.contains { row in row.contains { PythonText.str($0.value).unicodeScalars.contains { $0 == "\n" || $0 == "\r" } } }
        let table = rows.map { row in
            headers.map { header in row.first { $0.header == header }.map { cell($0.value, multiline: multiline) } ?? (multiline ? [] : [""]) }
        }
        let widths = headers.indices.map { column in
            max(width(headers[column]) + 2, table.map { $0[column].map(width).max() ?? 0 }.max() ?? 0)
        }
        let visibleRows = table.filter { row in row.contains { !$0.isEmpty } }
        var lines = [line(headers.map { [$0] }, widths), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")]
        for row in visibleRows { lines.append(line(row, widths)) }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func row(_ item: JSONValue, sortsKeys: Bool) -> [(header: String, value: JSONValue)] {
        switch item {
        case .object(let members):
            let ordered = sortsKeys ? members.sorted { $0.key.unicodeScalars.lexicographicallyPrecedes($1.key.unicodeScalars) } : members
            return ordered.compactMap { member in
                guard !skippedKeys.contains(member.key) else { return nil }
                switch member.value {
                case .null, .array, .object: return nil
                default: return (capitalized(member.key), member.value)
                }
            }
        case .array(let elements):
            return elements.enumerated().map { ("Column\($0.offset + 1)", $0.element) }
        default:
            return [("Result", item)]
        }
    }

    private static func capitalized(_ key: String) -> String {
        guard let first = key.unicodeScalars.first else { return key }
        return String(first).uppercased() + String(key.unicodeScalars.dropFirst())
    }

    /// A cell's lines: Python's `str()` of the value, blanks around it trimmed, split at line breaks as
    /// `str.splitlines` splits (an empty cell has no line).
    private static func cell(_ value: JSONValue, multiline: Bool) -> [String] {
        let text: String = if case .null = value { "" } else { trimmed(PythonText.str(value)) }
        guard multiline else { return [text] }
        var lines: [String] = []
        var current = String.UnicodeScalarView()
        var previousWasReturn = false
        for scalar in text.unicodeScalars {
            if scalar == "\n" && previousWasReturn { previousWasReturn = false; continue }
            previousWasReturn = scalar == "\r"
            if scalar == "\n" || scalar == "\r" {
                lines.append(String(current))
                current = String.UnicodeScalarView()
            } else {
                current.append(scalar)
            }
        }
        if !current.isEmpty { lines.append(String(current)) }
        return lines
    }

    private static func trimmed(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[first...last])
    }

    /// One table row, as many lines as its tallest cell.
    private static func line(_ cells: [[String]], _ widths: [Int]) -> String {
        let height = cells.map(\.count).max() ?? 0
        return (0..<height).map { lineIndex in
            var text = ""
            for (column, cell) in cells.enumerated() {
                if column > 0 { text += "  " }
                let part = lineIndex < cell.count ? cell[lineIndex] : ""
                text += part + String(repeating: " ", count: max(0, widths[column] - width(part)))
            }
            while text.hasSuffix(" ") { text.removeLast() }
            return text
        }.joined(separator: "\n")
    }

    /// Terminal columns, as the `wcwidth` package counts them (tabulate uses it when installed): East
    /// Asian wide characters take two, combining marks none, and a control character makes the whole
    /// text -1.
    static func width(_ text: String) -> Int {
        var total = 0
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value == 0 { continue }
            if value < 0x20 || (0x7F..<0xA0).contains(value) { return -1 }
            switch scalar.properties.generalCategory {
            case .nonspacingMark, .enclosingMark: continue
            case .format where value != 0xAD: continue
            default: break
            }
            total += isWide(value) ? 2 : 1
        }
        return total
    }

    private static func isWide(_ value: UInt32) -> Bool {
        let ranges: [ClosedRange<UInt32>] = [
            0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x23E9...0x23EC, 0x23F0...0x23F0, 0x23F3...0x23F3,
            0x25FD...0x25FE, 0x2614...0x2615, 0x2648...0x2653, 0x267F...0x267F, 0x2693...0x2693, 0x26A1...0x26A1,
            0x26AA...0x26AB, 0x26BD...0x26BE, 0x26C4...0x26C5, 0x26CE...0x26CE, 0x26D4...0x26D4, 0x26EA...0x26EA,
            0x26F2...0x26F3, 0x26F5...0x26F5, 0x26FA...0x26FA, 0x26FD...0x26FD, 0x2705...0x2705, 0x270A...0x270B,
            0x2728...0x2728, 0x274C...0x274C, 0x274E...0x274E, 0x2753...0x2755, 0x2757...0x2757, 0x2795...0x2797,
            0x27B0...0x27B0, 0x27BF...0x27BF, 0x2B1B...0x2B1C, 0x2B50...0x2B50, 0x2B55...0x2B55, 0x2E80...0x303E,
            0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF, 0xA960...0xA97F, 0xAC00...0xD7A3,
            0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x16FE0...0x18CFF,
            0x1B000...0x1B2FF, 0x1F004...0x1F004, 0x1F0CF...0x1F0CF, 0x1F18E...0x1F18E, 0x1F191...0x1F19A,
            0x1F200...0x1F251, 0x1F300...0x1F64F, 0x1F680...0x1F6FF, 0x1F7E0...0x1F7EB, 0x1F90C...0x1F9FF,
            0x1FA70...0x1FAFF, 0x20000...0x2FFFD, 0x30000...0x3FFFD,
        ]
        return ranges.contains { $0.contains(value) }
    }
}
