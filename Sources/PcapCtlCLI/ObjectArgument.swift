import ControlPlane
import FoundationEssentials

/// An object-valued flag of az's network-watcher group (`--storage-location`, `--capture-settings`), read
/// the ways az reads it: JSON (`{"fileCount":3}`), AAZ shorthand (`{file-count:3,file-size-in-bytes:1024}`),
/// or shorthand words (`file-count=3 file-size-in-bytes=1024`). Keys match whatever their case and
/// dashes (`fileCount`, `FileCount`, `file-count`); values may be numbers or strings (`{"FileCount":"10"}`).
struct ObjectArgument {
    /// The members given, by the key as `keys` spells it.
    private(set) var values: [String: String] = [:]
    let flag: String

    init(_ words: [String], flag: String, keys: [String]) throws(PcapCtlError) {
        self.flag = flag
        guard !words.isEmpty else { return }
        let pairs: [(String, String)]
        if words.count == 1, let json = Self.json(words[0]) {
            pairs = json
        } else {
            var found: [(String, String)] = []
            for word in words { found += try Self.shorthand(word, flag: flag) }
            pairs = found
        }
        let known = Dictionary(keys.map { (Self.folded($0), $0) }, uniquingKeysWith: { first, _ in first })
        for (key, value) in pairs {
            guard let canonical = known[Self.folded(key)] else {
                throw .usage("\(flag): unknown key '\(Validation.printable(key))'; the keys are \(keys.joined(separator: ", "))")
            }
            values[canonical] = value
        }
    }

    /// A member as a whole number checked against its field (nil when absent).
    func unsigned(_ key: String, _ field: UnsignedField) throws(PcapCtlError) -> UInt64? {
        guard let text = values[key] else { return nil }
        guard !text.isEmpty, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }), let value = UInt64(text) else {
            throw .usage("\(flag): \(key): Invalid format: '\(Validation.printable(text))' is not a whole number (allowed: \(field.range.lowerBound) to \(field.range.upperBound))")
        }
        do { try field.check(value) } catch {
            throw .usage("\(flag): \(key): \(error.message)")
        }
        return value
    }

    static func folded(_ key: String) -> String {
        String(key.lowercased().filter { $0 != "-" && $0 != "_" })
    }

    /// A flat JSON object, its scalar members as text; nil when the word is not one.
    private static func json(_ word: String) -> [(String, String)]? {
        guard word.hasPrefix("{"), let object = try? JSONDecoder().decode([String: Scalar].self, from: Data(word.utf8)) else { return nil }
        return object.map { ($0.key, $0.value.text) }.sorted { $0.0 < $1.0 }
    }

    private struct Scalar: Decodable {
        var text: String

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let string = try? container.decode(String.self) {
                text = string
            } else if let flag = try? container.decode(Bool.self) {
                text = flag ? "true" : "false"
            } else if let number = try? container.decode(UInt64.self) {
                text = String(number)
            } else if let number = try? container.decode(Int64.self) {
                text = String(number)
            } else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a scalar")
            }
        }
    }

    /// `{a:1,b:'x'}` or `a=1`: pairs separated by commas, key and value by `:` or `=`, values optionally quoted.
    private static func shorthand(_ word: String, flag: String) throws(PcapCtlError) -> [(String, String)] {
        var body = Substring(word)
        if body.hasPrefix("{") {
            guard body.hasSuffix("}") else { throw .usage("\(flag): '\(Validation.printable(word))' is not valid JSON or shorthand: a '{' without its '}'") }
            body = body.dropFirst().dropLast()
        }
        var pairs: [(String, String)] = []
        var parts: [String] = []
        var current = ""
        var quote: Character?
        for character in body {
            if let open = quote {
                if character == open { quote = nil } else { current.append(character) }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if character == "," {
                parts.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        guard quote == nil else { throw .usage("\(flag): '\(Validation.printable(word))' has an unterminated quote") }
        parts.append(current)
        for part in parts where !part.isEmpty {
            guard let separator = part.firstIndex(where: { $0 == ":" || $0 == "=" }) else {
                throw .usage("\(flag): '\(Validation.printable(part))' is not KEY=VALUE or KEY:VALUE")
            }
            pairs.append((String(part[..<separator]).trimmingSpaces, String(part[part.index(after: separator)...]).trimmingSpaces))
        }
        return pairs
    }
}
