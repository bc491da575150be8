import NIOCore

/// Refuses a `CONNECT` that opens a connection with 405 before NIO's HTTP parser sees it: the parser treats a
/// `CONNECT` as the start of a tunnel and stops parsing, so the request would never reach the pipeline to be
/// answered. Anything else passes on, byte for byte, and the handler leaves the pipeline.
final class ProxyConnectRefusal: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private static let method = Array("CONNECT ".utf8)
    private let answer: ByteBuffer
    private let refused: @Sendable () -> Void
    private var pending: ByteBuffer?

    /// - Parameters:
    ///   - body: The JSON body of the 405.
    ///   - refused: Called once for each refusal (the status-class counter).
    init(body: String, refused: @escaping @Sendable () -> Void) {
        var head = "HTTP/1.1 405 Method Not Allowed\r\nContent-Type: application/json\r\n"
        head += "Allow: GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS\r\nConnection: close\r\n"
        head += "Content-Length: \(body.utf8.count)\r\n\r\n"
        self.answer = ByteBuffer(string: head + body)
        self.refused = refused
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = self.unwrapInboundIn(data)
        if var pending = self.pending {
            pending.writeBuffer(&bytes)
            bytes = pending
            self.pending = nil
        }
        let view = Array(bytes.readableBytesView.prefix(Self.method.count))
        guard view == Array(Self.method.prefix(view.count)) else {
            self.pass(bytes, context: context)
            return
        }
        guard view.count == Self.method.count else {
            self.pending = bytes
            return
        }
        self.refused()
        let channel = context.channel
        context.writeAndFlush(self.wrapOutboundOut(self.answer)).whenComplete { _ in channel.close(promise: nil) }
    }

    private func pass(_ bytes: ByteBuffer, context: ChannelHandlerContext) {
        context.fireChannelRead(self.wrapInboundOut(bytes))
        context.pipeline.syncOperations.removeHandler(self, promise: nil)
    }
}
