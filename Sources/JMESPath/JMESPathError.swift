/// Why an expression cannot be compiled or evaluated, with the kinds the JMESPath specification names.
public struct JMESPathError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The expression is not valid JMESPath (found when compiling).
        case syntax = "syntax"
        /// A function was given a value of a type it does not take.
        case invalidType = "invalid-type"
        /// A function was given too few or too many arguments.
        case invalidArity = "invalid-arity"
        /// No function has that name.
        case unknownFunction = "unknown-function"
        /// A value is out of its domain (a slice step of 0).
        case invalidValue = "invalid-value"
    }

    public var kind: Kind
    public var message: String
    /// Character offset (0-based) in the expression, for syntax errors.
    public var position: Int?

    public init(_ kind: Kind, _ message: String, position: Int? = nil) {
        self.kind = kind
        self.message = message
        self.position = position
    }

    public var description: String {
        position.map { "\(message) at position \($0)" } ?? message
    }
}
