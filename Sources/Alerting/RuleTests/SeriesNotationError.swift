/// A mistake in the values of an input series, naming the item and where it starts.
public struct SeriesNotationError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case unexpectedCharacter
        case badNumber
        case badItem
        case badRepetition
        case tooManyValues
    }

    private let code: Code
    /// The item as written, e.g. `1+2y3`.
    public let item: String
    /// Column of the item's first character in the values text, 1-based, counted in Unicode scalars.
    public let column: Int
    /// What is wrong with the item and what would be right.
    public let reason: String

    private init(_ code: Code, item: String, column: Int, reason: String) {
        self.code = code
        self.item = item
        self.column = column
        self.reason = reason
    }

    static func unexpectedCharacter(_ character: Unicode.Scalar, item: String, column: Int) -> Self {
        Self(
            .unexpectedCharacter, item: item, column: column,
            reason: "unexpected character '\(character)'; expected a number, '_', 'stale', '+', '-' or 'x'"
        )
    }

    static func badNumber(_ text: String, item: String, column: Int) -> Self {
        Self(.badNumber, item: item, column: column, reason: "'\(text)' is not a number")
    }

    static func badItem(item: String, column: Int, expected: String) -> Self {
        Self(.badItem, item: item, column: column, reason: "expected \(expected)")
    }

    static func badRepetition(_ text: String, item: String, column: Int) -> Self {
        Self(
            .badRepetition, item: item, column: column,
            reason: "the repetition count after 'x' must be a whole number like x10, found '\(text)'"
        )
    }

    static func tooManyValues(item: String, column: Int, limit: Int) -> Self {
        Self(.tooManyValues, item: item, column: column, reason: "expands to more than \(limit) values")
    }

    /// `invalid series value 'ITEM' at column N: REASON`.
    public var description: String {
        "invalid series value '\(self.item)' at column \(self.column): \(self.reason)"
    }
}
