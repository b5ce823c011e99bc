import FoundationEssentials

/// One JSON style for everything pcapctl prints and stores: keys sorted (as az prints them), pretty printed.
public enum JSON {
    public static func encode<T: Encodable>(_ value: T, pretty: Bool = true) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let compact: [UInt8]
        do {
            compact = Array(try encoder.encode(value))
        } catch {
            // Our models hold only strings, integers, arrays and nested models: encoding cannot fail.
            preconditionFailure("encoding \(T.self) failed: \(error)")
        }
        return pretty ? indent(compact) : compact
    }

    /// Lays out compact JSON as az does: two-space indent, `"key": value`, empty containers as `[]` and `{}`.
    static func indent(_ compact: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(compact.count * 2)
        var depth = 0
        var inString = false
        var escaped = false
        func newline() {
            output.append(UInt8(ascii: "\n"))
            output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: depth * 2))
        }
        var index = 0
        while index < compact.count {
            let byte = compact[index]
            defer { index += 1 }
            if inString {
                output.append(byte)
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                inString = true
                output.append(byte)
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                output.append(byte)
                let closing = byte == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
                if index + 1 < compact.count && compact[index + 1] == closing {
                    output.append(closing)
                    index += 1
                } else {
                    depth += 1
                    newline()
                }
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                newline()
                output.append(byte)
            case UInt8(ascii: ","):
                output.append(byte)
                newline()
            case UInt8(ascii: ":"):
                output.append(contentsOf: [UInt8(ascii: ":"), UInt8(ascii: " ")])
            default:
                output.append(byte)
            }
        }
        return output
    }

    public static func encodeString<T: Encodable>(_ value: T, pretty: Bool = true) -> String {
        String(decoding: encode(value, pretty: pretty), as: UTF8.self)
    }

    /// Decodes a stored file, naming the file and the key path when it does not fit.
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], path: String) throws(PcapCtlError) -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(bytes))
        } catch let error as DecodingError {
            throw .failure("\(path) is not a valid pcapctl file: \(describe(error))")
        } catch {
            throw .failure("\(path) is not a valid pcapctl file: \(error)")
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        func keyPath(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing key '\(([keyPath(context)] + [key.stringValue]).filter { !$0.isEmpty }.joined(separator: "."))'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context): return "at '\(keyPath(context))': \(context.debugDescription)"
        case .dataCorrupted(let context): return context.codingPath.isEmpty ? context.debugDescription : "at '\(keyPath(context))': \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
