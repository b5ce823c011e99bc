import OrderedJSON

/// A compiled JMESPath expression: parse once, then search any number of documents.
///
/// ```swift
/// let query = try JMESPathExpression("locations[?state == 'WA'].name | sort(@)")
/// let names = try query.search(document)
/// ```
public struct JMESPathExpression: Sendable {
    public let text: String
    let root: Node

    /// Compiles `text`; a syntax error carries the character offset where the problem is.
    public init(_ text: String) throws(JMESPathError) {
        self.text = text
        self.root = try Parser.parse(text)
    }

    /// Evaluates the expression against `document`. Type and arity errors of functions, unknown function
    /// names and invalid values are found here, as in the reference implementation (a call that is never
    /// reached never fails).
    public func search(_ document: JSONValue) throws(JMESPathError) -> JSONValue {
        try Interpreter().evaluate(root, document.collapsingDuplicateKeys())
    }
}
