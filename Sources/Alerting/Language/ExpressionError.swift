/// A rule expression that cannot be parsed or has the wrong types: where, what, and what was expected.
public struct ExpressionError: Error, Hashable, Sendable, CustomStringConvertible {
    /// 1-based line within the expression text.
    public let line: Int
    /// 1-based column (in characters) within that line.
    public let column: Int
    /// What is wrong, e.g. `expected ')' to close the call of rate, found '>'`.
    public let message: String
    /// The token or construct that was expected, when the parser knows (e.g. `')'`).
    public let expected: String?

    /// Creates an error at a byte offset of `source`.
    init(offset: Int, message: String, expected: String? = nil, in source: String) {
        var offset = offset
        if offset >= source.utf8.count {
            // At the end: point just after the last visible character, not at trailing newlines.
            let trimmed = source.utf8.reversed().drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
            offset = trimmed.count
        }
        var line = 1
        var column = 1
        var consumed = 0
        for character in source {
            if consumed >= offset {
                break
            }
            consumed += character.utf8.count
            if character == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        self.line = line
        self.column = column
        self.message = message
        self.expected = expected
    }

    /// `LINE:COLUMN: message`.
    public var description: String { "\(self.line):\(self.column): \(self.message)" }
}
