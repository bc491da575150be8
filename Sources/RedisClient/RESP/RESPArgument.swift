import NIOCore

/// One argument of a Redis command: bytes, sent as a RESP2 bulk string.
///
/// Write arguments as string or integer literals (`["SET", key, value]`), or from a `String`, an
/// integer, raw bytes or a `ByteBuffer`. Arguments other than the first (the command's name) may carry
/// secrets: the client never logs them and never puts them in an error.
public struct RESPArgument: Sendable, Hashable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    /// The argument's bytes.
    public var bytes: ByteBuffer

    public init(_ bytes: ByteBuffer) { self.bytes = bytes }
    public init(_ string: String) { self.bytes = ByteBuffer(string: string) }
    public init(_ bytes: some Sequence<UInt8>) { self.bytes = ByteBuffer(bytes: bytes) }
    public init<Integer: BinaryInteger>(_ value: Integer) { self.bytes = ByteBuffer(string: String(value)) }
    public init(stringLiteral value: String) { self.init(value) }
    public init(integerLiteral value: Int) { self.init(value) }
}
