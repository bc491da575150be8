import NIOCore

/// The ``RESPParser`` as a NIO `ByteToMessageDecoder`: each complete reply becomes one `RESPValue`
/// passed down the pipeline; a malformed stream fires the ``RESPParseError``, which closes the
/// connection (the rest of the stream cannot be trusted).
public struct RESPDecoder: ByteToMessageDecoder {
    public typealias InboundOut = RESPValue

    private var parser: RESPParser

    public init(limits: RESPParser.Limits = .default) {
        self.parser = RESPParser(limits: limits)
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let value = try self.parser.parse(&buffer) else { return .needMoreData }
        context.fireChannelRead(Self.wrapInboundOut(value))
        return .continue
    }

    public mutating func decodeLast(
        context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool
    ) throws
        -> DecodingState
    {
        // A partial reply at end of stream is dropped: the connection is gone and its waiters fail.
        try self.decode(context: context, buffer: &buffer)
    }
}
