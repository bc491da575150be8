/// One token of a rule expression.
struct Token: Sendable, Hashable {
    enum Kind: Sendable, Hashable {
        /// A metric name, label name, function name or keyword (`by`, `and`, ...).
        case identifier
        /// A number, or a duration such as `5m` (which is read as a duration where one is expected).
        case number
        /// A quoted string; `text` is its unescaped value.
        case string
        /// An operator or punctuation; `text` is its spelling.
        case symbol
        case end
    }

    let kind: Kind
    /// The token's text (unescaped for strings).
    let text: String
    /// UTF-8 offset of the token's first byte in the expression.
    let offset: Int

    /// How the token is named in "expected ..., found ..." messages.
    var display: String {
        switch self.kind {
        case .end: "end of expression"
        case .string: "string \"\(self.text)\""
        case .number: "number \(self.text)"
        case .identifier: "'\(self.text)'"
        case .symbol: "'\(self.text)'"
        }
    }
}
