import NIOCore

/// One RESP2 value, as a Redis server sends it.
///
/// RESP2 has five types: simple strings (`+OK`), errors (`-ERR ...`), integers (`:1`), bulk strings
/// (`$3\r\nfoo`, or `$-1` for null) and arrays (`*2\r\n...`, or `*-1` for null). A null bulk string and a
/// null array are `nil` payloads, not separate cases, so a caller matches `.bulkString(nil)` for "no
/// such key".
public enum RESPValue: Sendable, Hashable {
    /// A simple string (`+OK\r\n`): a status line, never binary.
    case simpleString(String)
    /// An error line (`-ERR unknown command\r\n`): the server's message, without the leading `-`.
    case error(String)
    /// An integer (`:42\r\n`).
    case integer(Int64)
    /// A bulk string (`$3\r\nfoo\r\n`); `nil` is the null bulk string `$-1\r\n`.
    case bulkString(ByteBuffer?)
    /// An array (`*2\r\n...`); `nil` is the null array `*-1\r\n`.
    case array([RESPValue]?)

    /// The value as text: a simple string, or a bulk string decoded as UTF-8; `nil` otherwise.
    public var string: String? {
        switch self {
        case .simpleString(let text): text
        case .bulkString(let bytes?): String(buffer: bytes)
        default: nil
        }
    }

    /// The value as an integer: an integer, or a string holding a decimal integer; `nil` otherwise.
    public var int: Int64? {
        switch self {
        case .integer(let value): value
        case .simpleString, .bulkString: self.string.flatMap { Int64($0) }
        default: nil
        }
    }

    /// The bytes of a bulk string; `nil` for a null bulk string and every other type.
    public var bytes: ByteBuffer? {
        if case .bulkString(let bytes?) = self { return bytes }
        return nil
    }

    /// The elements of a non-null array; `nil` otherwise.
    public var array: [RESPValue]? {
        if case .array(let elements?) = self { return elements }
        return nil
    }

    /// Whether the value is a null bulk string or a null array.
    public var isNull: Bool {
        switch self {
        case .bulkString(nil), .array(nil): true
        default: false
        }
    }

    /// The RESP type's name (`simple string`, `error`, `integer`, `bulk string`, `array`, `null`), for
    /// error messages that must not show the value itself.
    public var typeName: String {
        switch self {
        case .simpleString: "simple string"
        case .error: "error"
        case .integer: "integer"
        case .bulkString(nil), .array(nil): "null"
        case .bulkString: "bulk string"
        case .array: "array"
        }
    }
}
