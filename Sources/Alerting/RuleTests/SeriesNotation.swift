/// promtool's expanding notation for the values of an input series.
///
/// Items are separated by spaces; each expands to one or more points, one per sample interval:
///
/// | item | expands to |
/// |---|---|
/// | `a` | the value `a` |
/// | `a+bxn`, `a-bxn` | n+1 values: `a`, `a+b`, ..., `a+n·b` (each step added to the last, as Prometheus does) |
/// | `axn` | n+1 values `a` |
/// | `_` | one omitted sample |
/// | `_xn` | n omitted samples |
/// | `stale` | a staleness marker |
///
/// Numbers follow Prometheus' series grammar: an optional sign, decimals (`1`, `1.5`, `.5`, `5.`), exponents
/// (`1e3`, `2E-2`), `Inf` and `NaN` in any case; an integer with a leading zero is octal (`010` is 8), and
/// hexadecimal is not accepted (`0x3` is `0` repeated, as in Prometheus). Durations are not numbers here.
/// `stale` cannot be combined with a step or a repetition.
public enum SeriesNotation {
    /// The most points one values text may expand to; a larger count is almost surely a typo.
    public static let maximumValues = 1_000_000

    /// Expands a values text.
    ///
    /// - Parameter text: The `values` string of an input series, e.g. `"0+10x5 _x2 stale 3"`.
    /// - Returns: One point per sample interval, the first at time 0.
    /// - Throws: ``SeriesNotationError`` naming the first bad item and its column in `text`.
    public static func expand(_ text: String) throws(SeriesNotationError) -> [SeriesPoint] {
        var points: [SeriesPoint] = []
        let scalars = Array(text.unicodeScalars)
        var index = 0
        while index < scalars.count {
            if self.isSpace(scalars[index]) {
                index += 1
                continue
            }
            let start = index
            while index < scalars.count, !self.isSpace(scalars[index]) {
                index += 1
            }
            let item = Array(scalars[start..<index])
            try self.expandItem(item, column: start + 1, into: &points)
        }
        return points
    }

    private enum Token: Equatable {
        case plus, minus, times, blank
        case number(String)
        case identifier(String)
    }

    private static func expandItem(
        _ item: [Unicode.Scalar],
        column: Int,
        into points: inout [SeriesPoint]
    ) throws(SeriesNotationError) {
        let text = String(String.UnicodeScalarView(item))
        let tokens = try self.tokens(of: item, text: text, column: column)
        func expected(_ what: String) -> SeriesNotationError {
            .badItem(item: text, column: column, expected: what)
        }
        func append(_ point: SeriesPoint, count: UInt64) throws(SeriesNotationError) {
            guard count <= UInt64(self.maximumValues - points.count) else {
                throw .tooManyValues(item: text, column: column, limit: self.maximumValues)
            }
            points.append(contentsOf: repeatElement(point, count: Int(count)))
        }

        // `_` and `_xN`.
        if tokens.first == .blank {
            switch tokens.count {
            case 1:
                try append(.omitted, count: 1)
            case 3 where tokens[1] == .times:
                try append(.omitted, count: try self.repetition(tokens[2], item: text, column: column))
            default:
                throw expected("'_' or '_xN' (N omitted samples)")
            }
            return
        }

        // `stale`, alone.
        if case .identifier(let word) = tokens.first {
            guard word == "stale" else {
                throw expected("a number, '_' or 'stale', found '\(word)'")
            }
            guard tokens.count == 1 else {
                throw expected("'stale' on its own (it takes no step or repetition)")
            }
            try append(.stale, count: 1)
            return
        }

        // A value: NUMBER or a sign and a NUMBER.
        var position = 0
        guard let start = try self.signedNumber(tokens, at: &position, item: text, column: column) else {
            throw expected("a number, '_' or 'stale'")
        }
        if position == tokens.count {
            try append(.value(start), count: 1)
            return
        }
        // Optional signed step, then `x` and the repetition count.
        var step: Double?
        if tokens[position] != .times {
            guard tokens[position] == .plus || tokens[position] == .minus,
                let value = try self.signedNumber(tokens, at: &position, item: text, column: column)
            else {
                throw expected("'a', 'axN', 'a+bxN' or 'a-bxN'")
            }
            step = value
        }
        guard position + 2 == tokens.count, tokens[position] == .times else {
            throw expected(step == nil ? "'axN' (a repeated N+1 times)" : "'a+bxN' (N steps of b from a)")
        }
        let count = try self.repetition(tokens[position + 1], item: text, column: column)
        guard count < UInt64(self.maximumValues - points.count) else {
            throw .tooManyValues(item: text, column: column, limit: self.maximumValues)
        }
        guard let step else {
            try append(.value(start), count: count + 1)
            return
        }
        var value = start
        for _ in 0...count {
            points.append(.value(value))
            value += step
        }
    }

    /// `NUMBER`, `+NUMBER` or `-NUMBER` at `position`, advancing past it; `nil` when there is none.
    private static func signedNumber(
        _ tokens: [Token],
        at position: inout Int,
        item: String,
        column: Int
    ) throws(SeriesNotationError) -> Double? {
        var sign = 1.0
        var index = position
        if index < tokens.count, tokens[index] == .plus || tokens[index] == .minus {
            sign = tokens[index] == .minus ? -1 : 1
            index += 1
        }
        guard index < tokens.count, case .number(let text) = tokens[index] else { return nil }
        position = index + 1
        return sign * (try self.number(text, item: item, column: column))
    }

    /// The value of a number token, as Prometheus' parser computes it: an integer in Go's base-0 syntax
    /// (a leading zero means octal) when it is one, else a float.
    private static func number(_ text: String, item: String, column: Int) throws(SeriesNotationError) -> Double {
        switch text.lowercased() {
        case "inf": return .infinity
        case "nan": return .nan
        default: break
        }
        if text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            if text.count > 1, text.hasPrefix("0"), let octal = Int64(text.dropFirst(), radix: 8) {
                return Double(octal)
            }
            if !text.hasPrefix("0") || text.count == 1, let integer = Int64(text) {
                return Double(integer)
            }
        }
        guard let value = Double(text) else {
            throw .badNumber(text, item: item, column: column)
        }
        return value
    }

    private static func repetition(_ token: Token, item: String, column: Int) throws(SeriesNotationError) -> UInt64 {
        switch token {
        case .number(let text):
            guard text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let count = UInt64(text) else {
                throw .badRepetition(text, item: item, column: column)
            }
            return count
        case .identifier(let text):
            throw .badRepetition(text, item: item, column: column)
        default:
            throw .badItem(item: item, column: column, expected: "a repetition count after 'x', like x10")
        }
    }

    /// Splits an item into tokens as Prometheus' lexer does in a series description.
    private static func tokens(
        of item: [Unicode.Scalar],
        text: String,
        column: Int
    ) throws(SeriesNotationError) -> [Token] {
        var tokens: [Token] = []
        var index = 0
        while index < item.count {
            let scalar = item[index]
            switch scalar {
            case "+": tokens.append(.plus)
            case "-": tokens.append(.minus)
            case "x": tokens.append(.times)
            case "_": tokens.append(.blank)
            default:
                if self.isDigit(scalar) || (scalar == "." && index + 1 < item.count && self.isDigit(item[index + 1])) {
                    let start = index
                    index = self.scanNumber(item, from: index)
                    let number = String(String.UnicodeScalarView(item[start..<index]))
                    // After a number only `x` or a non-alphanumeric character may follow.
                    if index < item.count, item[index] != "x", self.isAlphanumeric(item[index]) {
                        throw .badNumber(
                            String(String.UnicodeScalarView(item[start...index])), item: text, column: column
                        )
                    }
                    tokens.append(.number(number))
                    continue
                }
                if self.isLetter(scalar) {
                    let start = index
                    while index < item.count, self.isAlphanumeric(item[index]) || item[index] == ":" {
                        index += 1
                    }
                    let word = String(String.UnicodeScalarView(item[start..<index]))
                    let lowered = word.lowercased()
                    tokens.append(lowered == "inf" || lowered == "nan" ? .number(word) : .identifier(word))
                    continue
                }
                throw .unexpectedCharacter(scalar, item: text, column: column)
            }
            index += 1
        }
        return tokens
    }

    /// Digits, an optional fraction, an optional exponent: the end of the number starting at `start`.
    private static func scanNumber(_ item: [Unicode.Scalar], from start: Int) -> Int {
        var index = start
        func acceptDigits() {
            while index < item.count, self.isDigit(item[index]) { index += 1 }
        }
        acceptDigits()
        if index < item.count, item[index] == "." {
            index += 1
            acceptDigits()
        }
        if index < item.count, item[index] == "e" || item[index] == "E" {
            index += 1
            if index < item.count, item[index] == "+" || item[index] == "-" { index += 1 }
            acceptDigits()
        }
        return index
    }

    private static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r"
    }

    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool {
        scalar >= "0" && scalar <= "9"
    }

    private static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "_" || scalar.properties.isAlphabetic
    }

    private static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        self.isLetter(scalar) || self.isDigit(scalar)
    }
}
