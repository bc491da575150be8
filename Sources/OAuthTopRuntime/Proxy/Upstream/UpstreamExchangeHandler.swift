import NIOCore
import NIOHTTP1
import NIOSSL

/// The last handler of an upstream connection: one exchange at a time, on the channel's event loop.
///
/// It hands the response head to the waiting exchange, then the body parts to a
/// `NIOThrowingAsyncSequenceProducer` whose back-pressure holds the channel's reads (a client that reads
/// slowly slows the upstream, nothing piles up), and tells the pool when the connection can carry another
/// request: the response ended, the request was sent whole, and neither side said `Connection: close`.
final class UpstreamExchangeHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

    typealias Body = NIOThrowingAsyncSequenceProducer<
        ByteBuffer, any Error, NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark, BodyDelegate
    >

    /// What the exchange waits for: the response head and its body.
    struct Head: Sendable {
        let head: HTTPResponseHead
        let body: Body
    }

    private enum State {
        /// In the pool, or between exchanges.
        case idle
        /// A request was sent; no response byte yet.
        case awaitingHead(EventLoopPromise<Head>)
        /// The body is passed on.
        case streaming(Body.Source)
        /// Closed: nothing more happens.
        case closed
    }

    private var state = State.idle
    private var context: ChannelHandlerContext?
    /// Whether the response allows another request on this connection.
    private var responseKeepsAlive = true
    /// Whether the request (head, body, end) was written whole.
    private var requestSent = true
    /// Whether the request asked to close the connection afterwards.
    private var requestCloses = false
    /// Reads held back while the consumer has enough (back-pressure).
    private var readPending = false
    private var paused = false
    /// Numbers the exchanges, so that a late call about an earlier body is ignored.
    private var exchange = 0
    /// Called on the event loop when an exchange ends and the connection can carry another one.
    var onReusable: (() -> Void)?
    /// Called on the event loop once, when the connection closes.
    var onClosed: (() -> Void)?

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    // MARK: The exchange (on the event loop)

    /// Starts an exchange: the response head will complete `promise`. The caller writes the request.
    func begin(_ promise: EventLoopPromise<Head>, requestCloses: Bool, bodyPending: Bool) {
        guard case .idle = self.state else {
            promise.fail(UpstreamError.closed(beforeResponse: true))
            return
        }
        self.state = .awaitingHead(promise)
        self.exchange &+= 1
        self.responseKeepsAlive = true
        self.requestSent = !bodyPending
        self.requestCloses = requestCloses
    }

    /// The streamed request body was written whole (or failed: the connection is not reused).
    func requestFinished(success: Bool) {
        if success {
            self.requestSent = true
            if case .idle = self.state { self.reuseOrClose() }
        } else {
            self.close(UpstreamError.closed(beforeResponse: false))
        }
    }

    // MARK: Reads

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .head(let head):
            guard case .awaitingHead(let promise) = self.state else {
                self.close(UpstreamError.badResponse("a response nobody asked for"))
                return
            }
            if head.status.code < 200 { return }  // 1xx: the final head follows
            self.responseKeepsAlive = head.isKeepAlive
            let producer = Body.makeSequence(
                backPressureStrategy: .init(lowWatermark: 2, highWatermark: 16),
                finishOnDeinit: false,
                delegate: BodyDelegate(handler: NIOLoopBound(self, eventLoop: context.eventLoop), exchange: self.exchange)
            )
            self.state = .streaming(producer.source)
            promise.succeed(Head(head: head, body: producer.sequence))
        case .body(let bytes):
            guard case .streaming(let source) = self.state else { return }
            if source.yield(bytes) == .stopProducing { self.paused = true }
        case .end:
            guard case .streaming(let source) = self.state else { return }
            self.state = .idle
            source.finish()
            self.reuseOrClose()
        }
    }

    func read(context: ChannelHandlerContext) {
        if self.paused {
            self.readPending = true
        } else {
            context.read()
        }
    }

    /// The consumer wants more: reads resume.
    fileprivate func resume(exchange: Int) {
        guard exchange == self.exchange else { return }
        self.paused = false
        if self.readPending, let context = self.context {
            self.readPending = false
            context.read()
        }
    }

    /// The consumer stopped reading the body before its end: the connection cannot be reused.
    fileprivate func abandon(exchange: Int) {
        guard exchange == self.exchange, case .streaming = self.state else { return }
        self.close(nil)
    }

    private func reuseOrClose() {
        guard self.requestSent else { return }  // reused (or closed) once the request is written
        if self.responseKeepsAlive, !self.requestCloses {
            self.onReusable?()
        } else {
            self.close(nil)
        }
    }

    // MARK: Ends

    func channelInactive(context: ChannelHandlerContext) {
        self.fail(.closed(beforeResponse: self.awaitingHead))
        context.fireChannelInactive()
    }

    private var awaitingHead: Bool {
        if case .awaitingHead = self.state { return true }
        return false
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let failure: UpstreamError
        switch error {
        case let error as UpstreamError: failure = error
        case let error as HTTPParserError: failure = .badResponse("\(error)")
        case let error as NIOSSLError: failure = .connectFailed("TLS: \(error)")
        case let error as BoringSSLError: failure = .connectFailed("TLS: \(error)")
        default: failure = .closed(beforeResponse: self.awaitingHead)
        }
        self.close(failure)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let event = event as? IdleStateHandler.IdleStateEvent, event == .read else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        switch self.state {
        // Reads held back for a slow client are not the upstream's silence.
        case .streaming where self.paused: break
        case .awaitingHead, .streaming: self.close(UpstreamError.readTimeout)
        // An idle pooled connection is closed after a quiet read timeout, before the upstream closes it.
        case .idle: self.close(nil)
        case .closed: break
        }
    }

    /// Closes the connection; an exchange in progress fails with `error`.
    func close(_ error: UpstreamError?) {
        self.fail(error ?? .closed(beforeResponse: false))
        self.context?.close(promise: nil)
    }

    private func fail(_ error: UpstreamError) {
        let state = self.state
        self.state = .closed
        switch state {
        case .awaitingHead(let promise): promise.fail(error)
        case .streaming(let source): source.finish(error)
        case .idle, .closed: break
        }
        if case .closed = state { return }
        let closed = self.onClosed
        self.onClosed = nil
        self.onReusable = nil
        closed?()
    }

    /// The body's back-pressure, called from any thread.
    struct BodyDelegate: NIOAsyncSequenceProducerDelegate {
        let handler: NIOLoopBound<UpstreamExchangeHandler>
        let exchange: Int

        func produceMore() {
            let (handler, exchange) = (self.handler, self.exchange)
            handler.eventLoop.execute { handler.value.resume(exchange: exchange) }
        }

        func didTerminate() {
            let (handler, exchange) = (self.handler, self.exchange)
            handler.eventLoop.execute { handler.value.abandon(exchange: exchange) }
        }
    }
}
