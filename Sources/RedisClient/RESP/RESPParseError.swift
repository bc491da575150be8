/// Why a RESP2 byte stream could not be decoded, and at which byte of the stream.
///
/// The message names what was wrong (an unknown type byte, a malformed length, a missing `\r\n`, a
/// limit that was exceeded) and the offset counted from the first byte the parser ever saw on its
/// connection. It never quotes the payload: a reply may carry sealed token state.
public struct RESPParseError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case unknownType(UInt8)
        case malformedInteger
        case invalidLength(Int64)
        case missingLineFeed
        case missingTerminator
        case lineTooLong(limit: Int)
        case bulkTooLong(length: Int64, limit: Int)
        case arrayTooLong(count: Int64, limit: Int)
        case nestingTooDeep(limit: Int)
    }

    private let code: Code
    /// The offset of the offending byte, counted from the first byte of the stream.
    public let offset: Int

    private init(_ code: Code, offset: Int) {
        self.code = code
        self.offset = offset
    }

    static func unknownType(_ byte: UInt8, offset: Int) -> Self { Self(.unknownType(byte), offset: offset) }
    static func malformedInteger(offset: Int) -> Self { Self(.malformedInteger, offset: offset) }
    static func invalidLength(_ length: Int64, offset: Int) -> Self { Self(.invalidLength(length), offset: offset) }
    static func missingLineFeed(offset: Int) -> Self { Self(.missingLineFeed, offset: offset) }
    static func missingTerminator(offset: Int) -> Self { Self(.missingTerminator, offset: offset) }
    static func lineTooLong(limit: Int, offset: Int) -> Self { Self(.lineTooLong(limit: limit), offset: offset) }
    static func bulkTooLong(_ length: Int64, limit: Int, offset: Int) -> Self {
        Self(.bulkTooLong(length: length, limit: limit), offset: offset)
    }
    static func arrayTooLong(_ count: Int64, limit: Int, offset: Int) -> Self {
        Self(.arrayTooLong(count: count, limit: limit), offset: offset)
    }
    static func nestingTooDeep(limit: Int, offset: Int) -> Self { Self(.nestingTooDeep(limit: limit), offset: offset) }

    /// A short, bounded code for metrics and tests (`unknown_type`, `bulk_too_long`, ...).
    public var shortCode: String {
        switch self.code {
        case .unknownType: "unknown_type"
        case .malformedInteger: "malformed_integer"
        case .invalidLength: "invalid_length"
        case .missingLineFeed: "missing_line_feed"
        case .missingTerminator: "missing_terminator"
        case .lineTooLong: "line_too_long"
        case .bulkTooLong: "bulk_too_long"
        case .arrayTooLong: "array_too_long"
        case .nestingTooDeep: "nesting_too_deep"
        }
    }

    public var description: String {
        let what: String
        switch self.code {
        case .unknownType(let byte):
            let printable = (0x21...0x7E).contains(byte) ? " ('\(Character(Unicode.Scalar(byte)))')" : ""
            what = "unknown RESP type byte 0x\(String(byte, radix: 16, uppercase: true))\(printable)"
        case .malformedInteger:
            what = "malformed integer (expected an optional '-' and 1 to 19 decimal digits)"
        case .invalidLength(let length):
            what = "invalid length \(length) (only -1 means null)"
        case .missingLineFeed:
            what = "'\\r' not followed by '\\n'"
        case .missingTerminator:
            what = "bulk string not followed by '\\r\\n'"
        case .lineTooLong(let limit):
            what = "line longer than \(limit) bytes without '\\r\\n'"
        case .bulkTooLong(let length, let limit):
            what = "bulk string of \(length) bytes exceeds the limit of \(limit)"
        case .arrayTooLong(let count, let limit):
            what = "array of \(count) elements exceeds the limit of \(limit)"
        case .nestingTooDeep(let limit):
            what = "arrays nested deeper than \(limit) levels"
        }
        return "RESP reply: \(what) at byte offset \(self.offset)"
    }
}
