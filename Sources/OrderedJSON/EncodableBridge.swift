import FoundationEssentials

extension JSONValue {
    /// The JSON value of an `Encodable`, by way of FoundationEssentials' encoder (keys sorted, so the
    /// order is the same in every run; slashes unescaped). Our models hold only strings, numbers,
    /// booleans, arrays and nested models, so a failure is a programming error.
    public init<T: Encodable>(encoding value: T) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            self = try JSONReader.parse(Array(try encoder.encode(value)))
        } catch {
            preconditionFailure("encoding \(T.self) as JSON failed: \(error)")
        }
    }
}
