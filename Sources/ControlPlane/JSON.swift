import Foundation

/// One JSON style for everything pcapctl prints and stores: keys sorted (as az prints them), pretty printed.
public enum JSON {
    public static func encode<T: Encodable>(_ value: T, pretty: Bool = true) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        do {
            return Array(try encoder.encode(value))
        } catch {
            // Our models hold only strings, integers, arrays and nested models: encoding cannot fail.
            preconditionFailure("encoding \(T.self) failed: \(error)")
        }
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
