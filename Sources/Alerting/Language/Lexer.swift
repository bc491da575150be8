/// Splits a rule expression into tokens, with the byte offset of each.
struct Lexer {
    private let bytes: [UInt8]
    private let source: String

    init(_ source: String) {
        self.source = source
        self.bytes = Array(source.utf8)
    }

    private static let symbols: [String] = [
        "==", "!=", ">=", "<=", "=~", "!~", "+", "-", "*", "/", "%", "^", ">", "<", "=", "(", ")", "{", "}", "[", "]",
        ",", ":", "@",
    ]

    /// All tokens, ending with an `.end` token.
    func tokenize() throws(ExpressionError) -> [Token] {
        var tokens: [Token] = []
        var index = 0
        while true {
            index = self.skipSpaceAndComments(from: index)
            guard index < self.bytes.count else {
                tokens.append(Token(kind: .end, text: "", offset: self.bytes.count))
                return tokens
            }
            let byte = self.bytes[index]
            if Self.isIdentifierStart(byte) {
                var end = index + 1
                while end < self.bytes.count, Self.isIdentifierPart(self.bytes[end]) {
                    end += 1
                }
                tokens.append(Token(kind: .identifier, text: self.text(index, end), offset: index))
                index = end
            } else if Self.isDigit(byte)
                || (byte == UInt8(ascii: ".") && index + 1 < self.bytes.count
                    && Self.isDigit(self.bytes[index + 1]))
            {
                let end = self.numberEnd(from: index)
                tokens.append(Token(kind: .number, text: self.text(index, end), offset: index))
                index = end
            } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") || byte == UInt8(ascii: "`") {
                let (value, end) = try self.string(from: index)
                tokens.append(Token(kind: .string, text: value, offset: index))
                index = end
            } else if let symbol = Self.symbols.first(where: { self.hasPrefix($0, at: index) }) {
                tokens.append(Token(kind: .symbol, text: symbol, offset: index))
                index += symbol.utf8.count
            } else {
                let character = self.source.utf8[
                    self.source.utf8.index(self.source.utf8.startIndex, offsetBy: index)...]
                let shown = String(decoding: character.prefix(4), as: UTF8.self).first.map(String.init) ?? "?"
                throw ExpressionError(offset: index, message: "unexpected character '\(shown)'", in: self.source)
            }
        }
    }

    private func skipSpaceAndComments(from start: Int) -> Int {
        var index = start
        while index < self.bytes.count {
            let byte = self.bytes[index]
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n")
                || byte == UInt8(ascii: "\r")
            {
                index += 1
            } else if byte == UInt8(ascii: "#") {
                while index < self.bytes.count, self.bytes[index] != UInt8(ascii: "\n") {
                    index += 1
                }
            } else {
                break
            }
        }
        return index
    }

    /// A number (`1`, `1.5`, `1e-3`, `0x1F`) or a duration (`5m`, `1h30m`, `100ms`): letters and digits run
    /// together, plus a sign right after an exponent `e`.
    private func numberEnd(from start: Int) -> Int {
        var end = start
        while end < self.bytes.count {
            let byte = self.bytes[end]
            if Self.isDigit(byte) || Self.isLetter(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") {
                end += 1
            } else if (byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-")), end > start,
                self.bytes[end - 1] == UInt8(ascii: "e") || self.bytes[end - 1] == UInt8(ascii: "E"),
                !self.text(start, end).hasPrefix("0x"), end + 1 < self.bytes.count, Self.isDigit(self.bytes[end + 1])
            {
                end += 1
            } else {
                break
            }
        }
        return end
    }

    private func string(from start: Int) throws(ExpressionError) -> (String, Int) {
        let quote = self.bytes[start]
        var index = start + 1
        var value: [UInt8] = []
        while index < self.bytes.count {
            let byte = self.bytes[index]
            if byte == quote {
                return (String(decoding: value, as: UTF8.self), index + 1)
            }
            if byte == UInt8(ascii: "\n"), quote != UInt8(ascii: "`") {
                break
            }
            if byte == UInt8(ascii: "\\"), quote != UInt8(ascii: "`"), index + 1 < self.bytes.count {
                let next = self.bytes[index + 1]
                switch next {
                case UInt8(ascii: "n"): value.append(UInt8(ascii: "\n"))
                case UInt8(ascii: "t"): value.append(UInt8(ascii: "\t"))
                case UInt8(ascii: "r"): value.append(UInt8(ascii: "\r"))
                case UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "`"): value.append(next)
                default:
                    throw ExpressionError(
                        offset: index,
                        message: "unknown escape sequence '\\\(Character(Unicode.Scalar(next)))' in string",
                        in: self.source
                    )
                }
                index += 2
                continue
            }
            value.append(byte)
            index += 1
        }
        throw ExpressionError(offset: start, message: "unterminated string", expected: "closing quote", in: self.source)
    }

    private func hasPrefix(_ symbol: String, at index: Int) -> Bool {
        let symbolBytes = Array(symbol.utf8)
        guard index + symbolBytes.count <= self.bytes.count else { return false }
        return Array(self.bytes[index..<(index + symbolBytes.count)]) == symbolBytes
    }

    private func text(_ start: Int, _ end: Int) -> String {
        String(decoding: self.bytes[start..<end], as: UTF8.self)
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    static func isLetter(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }

    static func isIdentifierStart(_ byte: UInt8) -> Bool {
        self.isLetter(byte) || byte == UInt8(ascii: "_")
    }

    /// Metric names may contain colons (recording rules); label names may not, the parser checks that.
    static func isIdentifierPart(_ byte: UInt8) -> Bool {
        self.isIdentifierStart(byte) || self.isDigit(byte) || byte == UInt8(ascii: ":")
    }
}
