/// Structured Field Values for HTTP (RFC 9651): the List and Dictionary forms, as the rate-limit fields use them
/// (`RateLimit: "default";r=50;t=30`, `RateLimit: limit=100, remaining=50, reset=30`).
///
/// A parser of outside input: a malformed value is a `Failure` naming what was wrong and at which byte, never a
/// trap. It follows the parsing algorithms of RFC 9651 §4.2 (the field lines of one name are joined with `, `
/// first, §4.2 step 1), including the limits on integer and decimal digits.
struct StructuredField {
    /// A bare item (RFC 9651 §3.3).
    enum BareItem: Hashable, Sendable {
        case integer(Int64)
        case decimal(Double)
        case string(String)
        case token(String)
        /// The base64 text between the colons, checked for its alphabet but not decoded (nothing here needs the
        /// bytes; a partition key is compared as text).
        case byteSequence(String)
        case boolean(Bool)
        case date(Int64)
        case displayString(String)

        /// The value of an Integer, or `nil` for another type.
        var integer: Int64? {
            if case .integer(let value) = self { return value }
            return nil
        }

        /// The text of a String or a Token (a policy's name may be either in the drafts' examples).
        var name: String? {
            switch self {
            case .string(let text), .token(let text): return text
            default: return nil
            }
        }
    }

    /// An Item: a bare item and its parameters, in order (a repeated key keeps its last value, §4.2.3.2).
    struct Item: Hashable, Sendable {
        var value: BareItem
        var parameters: [(key: String, value: BareItem)]

        subscript(parameter key: String) -> BareItem? {
            self.parameters.last { $0.key == key }?.value
        }

        static func == (lhs: Item, rhs: Item) -> Bool {
            lhs.value == rhs.value && lhs.parameters.map(\.key) == rhs.parameters.map(\.key)
                && lhs.parameters.map(\.value) == rhs.parameters.map(\.value)
        }

        func hash(into hasher: inout Hasher) {
            hasher.combine(self.value)
            for parameter in self.parameters {
                hasher.combine(parameter.key)
                hasher.combine(parameter.value)
            }
        }
    }

    /// A member of a List or a Dictionary: an Item or an Inner List (with the inner list's parameters).
    enum Member: Hashable, Sendable {
        case item(Item)
        case innerList([Item], parameters: [String])

        var item: Item? {
            if case .item(let item) = self { return item }
            return nil
        }
    }

    private let bytes: [UInt8]
    private var position = 0

    private init(_ text: String) {
        self.bytes = Array(text.utf8)
    }

    /// Parses `lines` (every field line of one name) as a List (RFC 9651 §4.2.1).
    ///
    /// - Returns: The members, or the reason the value is malformed.
    static func list(_ lines: [String]) -> Result<[Member], Failure> {
        var parser = StructuredField(lines.joined(separator: ", "))
        return Self.parseWhole(&parser) { parser throws(Failure) in try parser.parseList() }
    }

    /// Parses `lines` as a Dictionary (RFC 9651 §4.2.2): members by key, in order, a repeated key keeping its last
    /// value.
    static func dictionary(_ lines: [String]) -> Result<[(key: String, value: Member)], Failure> {
        var parser = StructuredField(lines.joined(separator: ", "))
        return Self.parseWhole(&parser) { parser throws(Failure) in try parser.parseDictionary() }
    }

    /// A malformed value: what was wrong, at which byte.
    struct Failure: Error, Hashable, CustomStringConvertible {
        var reason: String
        var offset: Int
        var description: String { "\(self.reason) at byte \(self.offset)" }
    }

    /// Leading and trailing spaces are discarded; anything else left over makes the value malformed (§4.2).
    private static func parseWhole<T>(
        _ parser: inout StructuredField,
        _ body: (inout StructuredField) throws(Failure) -> T
    ) -> Result<T, Failure> {
        do throws(Failure) {
            parser.skipSpaces()
            let value = try body(&parser)
            parser.skipSpaces()
            guard parser.position == parser.bytes.count else { throw parser.fail("unexpected character") }
            return .success(value)
        } catch {
            return .failure(error)
        }
    }

    // MARK: - Lists and dictionaries

    private mutating func parseList() throws(Failure) -> [Member] {
        var members: [Member] = []
        while self.position < self.bytes.count {
            members.append(try self.parseItemOrInnerList())
            try self.skipToNextMember()
            if self.position == self.bytes.count { break }
        }
        return members
    }

    private mutating func parseDictionary() throws(Failure) -> [(key: String, value: Member)] {
        var members: [(key: String, value: Member)] = []
        while self.position < self.bytes.count {
            let key = try self.parseKey()
            let member: Member
            if self.peek == UInt8(ascii: "=") {
                self.position += 1
                member = try self.parseItemOrInnerList()
            } else {
                member = .item(Item(value: .boolean(true), parameters: try self.parseParameters()))
            }
            members.removeAll { $0.key == key }
            members.append((key, member))
            try self.skipToNextMember()
            if self.position == self.bytes.count { break }
        }
        return members
    }

    /// After a member: optional whitespace, then the end or a comma followed by another member.
    private mutating func skipToNextMember() throws(Failure) {
        self.skipWhitespace()
        guard self.position < self.bytes.count else { return }
        guard self.bytes[self.position] == UInt8(ascii: ",") else { throw self.fail("expected a comma") }
        self.position += 1
        self.skipWhitespace()
        guard self.position < self.bytes.count else { throw self.fail("a trailing comma") }
    }

    private mutating func parseItemOrInnerList() throws(Failure) -> Member {
        guard self.peek == UInt8(ascii: "(") else { return .item(try self.parseItem()) }
        self.position += 1
        var items: [Item] = []
        while self.position < self.bytes.count {
            self.skipSpaces()
            if self.peek == UInt8(ascii: ")") {
                self.position += 1
                return .innerList(items, parameters: try self.parseParameters().map(\.key))
            }
            items.append(try self.parseItem())
            guard let next = self.peek, next == UInt8(ascii: " ") || next == UInt8(ascii: ")") else {
                throw self.fail("an inner list's items must be separated by spaces")
            }
        }
        throw self.fail("an unterminated inner list")
    }

    private mutating func parseItem() throws(Failure) -> Item {
        let value = try self.parseBareItem()
        return Item(value: value, parameters: try self.parseParameters())
    }

    private mutating func parseParameters() throws(Failure) -> [(key: String, value: BareItem)] {
        var parameters: [(key: String, value: BareItem)] = []
        while self.peek == UInt8(ascii: ";") {
            self.position += 1
            self.skipSpaces()
            let key = try self.parseKey()
            var value = BareItem.boolean(true)
            if self.peek == UInt8(ascii: "=") {
                self.position += 1
                value = try self.parseBareItem()
            }
            parameters.removeAll { $0.key == key }
            parameters.append((key, value))
        }
        return parameters
    }

    private mutating func parseKey() throws(Failure) -> String {
        guard let first = self.peek, Self.isLowerAlpha(first) || first == UInt8(ascii: "*") else {
            throw self.fail("a key must start with a lower-case letter or *")
        }
        let start = self.position
        while let byte = self.peek,
            Self.isLowerAlpha(byte) || Self.isDigit(byte) || Array("_-.*".utf8).contains(byte)
        {
            self.position += 1
        }
        return String(decoding: self.bytes[start..<self.position], as: UTF8.self)
    }

    // MARK: - Bare items

    private mutating func parseBareItem() throws(Failure) -> BareItem {
        guard let first = self.peek else { throw self.fail("a missing value") }
        switch first {
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try self.parseNumber()
        case UInt8(ascii: "\""): return .string(try self.parseString())
        case UInt8(ascii: "*"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"):
            return .token(self.parseToken())
        case UInt8(ascii: ":"): return .byteSequence(try self.parseByteSequence())
        case UInt8(ascii: "?"):
            self.position += 1
            switch self.peek {
            case UInt8(ascii: "0"): self.position += 1; return .boolean(false)
            case UInt8(ascii: "1"): self.position += 1; return .boolean(true)
            default: throw self.fail("a boolean must be ?0 or ?1")
            }
        case UInt8(ascii: "@"):
            self.position += 1
            guard case .integer(let seconds) = try self.parseNumber() else {
                throw self.fail("a date must be an integer")
            }
            return .date(seconds)
        case UInt8(ascii: "%"): return .displayString(try self.parseDisplayString())
        default: throw self.fail("not a structured-field value")
        }
    }

    /// Integer (at most 15 digits) or Decimal (at most 12 integer and 3 fraction digits), RFC 9651 §4.2.4.
    private mutating func parseNumber() throws(Failure) -> BareItem {
        var negative = false
        if self.peek == UInt8(ascii: "-") {
            negative = true
            self.position += 1
        }
        guard let first = self.peek, Self.isDigit(first) else { throw self.fail("a number must start with a digit") }
        var digits: [UInt8] = []
        var fractionStart: Int?
        while let byte = self.peek {
            if Self.isDigit(byte) {
                digits.append(byte)
            } else if byte == UInt8(ascii: "."), fractionStart == nil {
                guard digits.count <= 12 else { throw self.fail("a decimal with more than 12 integer digits") }
                fractionStart = digits.count
            } else {
                break
            }
            self.position += 1
            if fractionStart == nil, digits.count > 15 { throw self.fail("an integer with more than 15 digits") }
            if let start = fractionStart, digits.count - start > 3 {
                throw self.fail("a decimal with more than 3 fraction digits")
            }
        }
        let text = String(decoding: digits, as: UTF8.self)
        guard let start = fractionStart else {
            // 15 digits always fit in an Int64.
            let value = Int64(text) ?? 0
            return .integer(negative ? -value : value)
        }
        guard digits.count > start else { throw self.fail("a decimal ending in a dot") }
        let integerPart = Double(String(text.prefix(start))) ?? 0
        let fraction = (Double(String(text.dropFirst(start))) ?? 0) / [1.0, 10, 100, 1000][digits.count - start]
        let value = integerPart + fraction
        return .decimal(negative ? -value : value)
    }

    private mutating func parseString() throws(Failure) -> String {
        self.position += 1
        var text: [UInt8] = []
        while let byte = self.peek {
            self.position += 1
            switch byte {
            case UInt8(ascii: "\\"):
                guard let escaped = self.peek, escaped == UInt8(ascii: "\"") || escaped == UInt8(ascii: "\\") else {
                    throw self.fail("a string may only escape a quote or a backslash")
                }
                text.append(escaped)
                self.position += 1
            case UInt8(ascii: "\""):
                return String(decoding: text, as: UTF8.self)
            case 0x20...0x7E:
                text.append(byte)
            default:
                throw self.fail("a string may only hold printable ASCII")
            }
        }
        throw self.fail("an unterminated string")
    }

    private mutating func parseToken() -> String {
        let start = self.position
        self.position += 1
        while let byte = self.peek,
            Self.isTokenCharacter(byte) || byte == UInt8(ascii: ":") || byte == UInt8(ascii: "/")
        {
            self.position += 1
        }
        return String(decoding: self.bytes[start..<self.position], as: UTF8.self)
    }

    private mutating func parseByteSequence() throws(Failure) -> String {
        self.position += 1
        let start = self.position
        while let byte = self.peek {
            if byte == UInt8(ascii: ":") {
                let text = String(decoding: self.bytes[start..<self.position], as: UTF8.self)
                self.position += 1
                return text
            }
            guard Self.isAlpha(byte) || Self.isDigit(byte) || Array("+/=".utf8).contains(byte) else {
                throw self.fail("a byte sequence may only hold base64")
            }
            self.position += 1
        }
        throw self.fail("an unterminated byte sequence")
    }

    /// `%"..."` with lower-case percent-encoded bytes that form UTF-8 (RFC 9651 §4.2.10).
    private mutating func parseDisplayString() throws(Failure) -> String {
        self.position += 1
        guard self.peek == UInt8(ascii: "\"") else { throw self.fail("a display string must start with %\"") }
        self.position += 1
        var bytes: [UInt8] = []
        while let byte = self.peek {
            self.position += 1
            switch byte {
            case UInt8(ascii: "%"):
                guard self.position + 1 < self.bytes.count,
                    let high = Self.lowerHexValue(self.bytes[self.position]),
                    let low = Self.lowerHexValue(self.bytes[self.position + 1])
                else { throw self.fail("a display string's escape must be two lower-case hex digits") }
                bytes.append(high << 4 | low)
                self.position += 2
            case UInt8(ascii: "\""):
                guard let text = String(validating: bytes, as: UTF8.self) else {
                    throw self.fail("a display string that is not UTF-8")
                }
                return text
            case 0x20...0x7E:
                bytes.append(byte)
            default:
                throw self.fail("a display string may only hold printable ASCII")
            }
        }
        throw self.fail("an unterminated display string")
    }

    // MARK: - Characters

    private var peek: UInt8? { self.position < self.bytes.count ? self.bytes[self.position] : nil }

    private mutating func skipSpaces() {
        while self.peek == UInt8(ascii: " ") { self.position += 1 }
    }

    private mutating func skipWhitespace() {
        while let byte = self.peek, byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") { self.position += 1 }
    }

    private func fail(_ reason: String) -> Failure {
        Failure(reason: reason, offset: self.position)
    }

    private static func isLowerAlpha(_ byte: UInt8) -> Bool { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) }
    private static func isAlpha(_ byte: UInt8) -> Bool {
        Self.isLowerAlpha(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }
    private static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }

    /// `tchar` of RFC 9110 §5.6.2.
    static func isTokenCharacter(_ byte: UInt8) -> Bool {
        Self.isAlpha(byte) || Self.isDigit(byte) || Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
    }

    private static func lowerHexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        default: return nil
        }
    }
}
