import NIOCore
import NIOHTTP1

/// The wire path's end of an upstream connection, below NIO's HTTP codec (and above TLS): it writes the wire path's
/// requests (``ProxyPipeline/wireRequest(_:in:tokenField:allocator:)``: bytes made without NIO's encoder), and reads
/// their responses from the bytes when they are in the subset ``WireResponseHead`` parses (a plain head and a body of
/// a small `Content-Length`, a status the pipeline has no more to do with): it hands them on whole (``WireResponse``)
/// and ends the exchange (``UpstreamExchangeHandler/finishWire(keepsAlive:)``), so the response never meets NIO's
/// parser or a header string.
///
/// Any other response goes to NIO's parser as if this handler were not there: it tells the decoder which request the
/// response belongs to (as the decoder's write observation would have: a response to `HEAD` has no body) and passes the
/// bytes on, so the exchange handler reads it as for any request (streamed, or settled by the pipeline). Between
/// exchanges, and for the other path's requests, bytes pass through untouched.
///
/// Not thread-safe: used on the channel's event loop only.
final class UpstreamWireHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    /// What a wire request's response became.
    enum Outcome {
        /// Read whole from the bytes.
        case response(WireResponse)
        /// Read by NIO's parser and the exchange handler (or the exchange failed).
        case parsed(Result<UpstreamExchangeHandler.Head, any Error>)
    }

    /// A response this handler reads from the bytes, if it can.
    struct Expectation {
        let promise: EventLoopPromise<Outcome>
        let method: HTTPMethod
        /// Statuses left to NIO's parser and the pipeline (auth errors, rate limits).
        let divertedStatuses: Set<Int>
    }

    private var context: ChannelHandlerContext?
    private let decoder: HTTPResponseDecoder
    /// Ends a wire exchange (set by ``UpstreamConnection``).
    var exchange: UpstreamExchangeHandler?
    private var awaiting: Expectation?
    private var collected: ByteBuffer?

    init(decoder: HTTPResponseDecoder) {
        self.decoder = decoder
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    /// Writes and flushes `request`, a whole request of `method` without a body. With `expectation` its response is
    /// read here if it can be; without, NIO's parser reads it.
    func send(_ request: ByteBuffer, method: HTTPMethod, expectation: Expectation?) {
        guard let context = self.context else { return }
        if let expectation {
            self.awaiting = expectation
        } else {
            self.tellDecoder(method)
        }
        context.writeAndFlush(self.wrapOutboundOut(.byteBuffer(request)), promise: nil)
    }

    private func tellDecoder(_ method: HTTPMethod) {
        self.decoder.write(data: .head(HTTPRequestHead(version: .http1_1, method: method, uri: "/")))
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let awaiting = self.awaiting else {
            context.fireChannelRead(data)
            return
        }
        var bytes = self.unwrapInboundIn(data)
        if self.collected == nil {
            self.collected = bytes
        } else {
            self.collected!.writeBuffer(&bytes)
        }
        let collected = self.collected!
        let parsed = collected.withUnsafeReadableBytes {
            WireResponseHead.parse($0, maxBody: UpstreamExchangeHandler.wholeLimit)
        }
        switch parsed {
        case .incomplete:
            self.exchange?.touch()
        case .outside:
            self.passOn(context: context)
        case .head(let head):
            if awaiting.divertedStatuses.contains(head.status) {
                self.passOn(context: context)
                return
            }
            let total = head.length + head.bodyLength
            if collected.readableBytes < total {
                self.exchange?.touch()
                return
            }
            // Bytes after the response: nothing was asked for them; NIO's parser says what they are.
            guard collected.readableBytes == total else {
                self.passOn(context: context)
                return
            }
            self.awaiting = nil
            self.collected = nil
            self.exchange?.finishWire(keepsAlive: !head.closes)
            awaiting.promise.succeed(.response(WireResponse(head: head, bytes: collected)))
        }
    }

    /// Leaves the response to NIO's parser: the decoder learns its request, and gets the bytes so far.
    private func passOn(context: ChannelHandlerContext) {
        guard let awaiting = self.awaiting else { return }
        self.awaiting = nil
        self.tellDecoder(awaiting.method)
        if let bytes = self.collected {
            self.collected = nil
            context.fireChannelRead(self.wrapInboundOut(bytes))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        // A response cut short: the exchange handler fails the exchange as it closes.
        self.awaiting = nil
        self.collected = nil
        context.fireChannelInactive()
    }
}
