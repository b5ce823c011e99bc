import OrderedJSON

extension FilterList {
    /// Deeper than any filter list needs; bounds recursion on hostile input.
    static let maximumJSONDepth = 32

    /// The user's JSON text as a value, strictly read (duplicate keys and number literals kept for the
    /// filter rules), its syntax errors as filter errors.
    static func readJSON(_ text: String) throws(FilterError) -> JSONValue {
        do throws(JSONSyntaxError) {
            return try JSONReader.parse(text, maximumDepth: maximumJSONDepth)
        } catch {
            throw FilterError(message: error.description)
        }
    }
}
