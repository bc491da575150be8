import NIOCore
import NIOHTTP1
import NIOSSL

/// The last handler of an upstream connection: one exchange at a time, on the channel's event loop.
///
/// It hands the response head to the waiting exchange with its body: whole, when the response ended within the
/// read that brought its head or its `Content-Length` is at most ``wholeLimit`` (most API answers: no stream is made
/// for them; nginx's `proxy_buffering` keeps whole answers too), or else as a
/// `NIOThrowingAsyncSequenceProducer` whose back-pressure holds the channel's reads (a client that reads
/// slowly slows the upstream, nothing piles up). It tells the pool when the connection can carry another
/// request: the response ended, the request was sent whole, and neither side said `Connection: close`.
///
/// It also keeps the read timeout (not NIO's `IdleStateHandler`, which counts from the last read only): the
/// upstream is silent when nothing was read or written for `readTimeout` while an exchange waits for it; an
/// exchange starts the count afresh (a pooled connection's quiet time is not the upstream's), and reads held
/// back for a slow client do not count (the upstream is not silent, the client is slow).
final class UpstreamExchangeHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

    typealias Stream = NIOThrowingAsyncSequenceProducer<
        ByteBuffer, any Error, NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark, BodyDelegate
    >

    /// What the exchange waits for: the response head and its body.
    struct Head: Sendable {
        let head: HTTPResponseHead
        let body: UpstreamBody
    }

    private enum State {
        /// In the pool, or between exchanges.
        case idle
        /// A request was sent; no response byte yet.
        case awaitingHead(EventLoopPromise<Head>)
        /// The head came in this read; the body's chunks so far. At the response's end the exchange gets them
        /// whole; at the read's end (more is coming) a stream starts with them.
        case collecting(EventLoopPromise<Head>, HTTPResponseHead, [ByteBuffer])
        /// The body is passed on.
        case streaming(Stream.Source)
        /// Closed: nothing more happens.
        case closed
    }

    private var state = State.idle
    private var context: ChannelHandlerContext?
    private let readTimeout: TimeAmount
    /// The last read or write (or the start of the exchange, or the end of held-back reads).
    private var lastActivity = NIODeadline.now()
    private var timer: Scheduled<Void>?
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

    /// - Parameter readTimeout: How long the upstream may be silent during an exchange; also how long an idle
    ///   pooled connection is kept.
    init(readTimeout: TimeAmount) {
        self.readTimeout = readTimeout
    }

    /// Whether the connection closed (an exchange begun on it fails at once).
    var isClosed: Bool {
        if case .closed = self.state { return true }
        return false
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive {
            self.lastActivity = .now()
            self.armTimer(context: context)
        }
    }

    /// Connected: the read timeout starts (the connect has its own).
    func channelActive(context: ChannelHandlerContext) {
        self.lastActivity = .now()
        if self.timer == nil { self.armTimer(context: context) }
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.timer?.cancel()
        self.timer = nil
        self.context = nil
    }

    // MARK: The exchange (on the event loop)

    /// Starts an exchange: the response head will complete `promise`. The caller writes the request, unless this
    /// returns false (the connection closed: `promise` failed).
    @discardableResult
    func begin(_ promise: EventLoopPromise<Head>, requestCloses: Bool, bodyPending: Bool) -> Bool {
        guard case .idle = self.state else {
            promise.fail(UpstreamError.closed(beforeResponse: true))
            return false
        }
        self.state = .awaitingHead(promise)
        self.exchange &+= 1
        self.responseKeepsAlive = true
        self.requestSent = !bodyPending
        self.requestCloses = requestCloses
        self.lastActivity = .now()
        self.resumeReads()
        return true
    }

    /// A wire exchange's response was read whole by ``UpstreamWireHandler``: the exchange ends (its promise fails with
    /// ``AnsweredOnTheWire``, which the wire path ignores), and the connection is reused unless the response closes it.
    func finishWire(keepsAlive: Bool) {
        guard case .awaitingHead(let promise) = self.state else { return }
        self.state = .idle
        self.lastActivity = .now()
        self.responseKeepsAlive = keepsAlive
        promise.fail(AnsweredOnTheWire())
        self.reuseOrClose()
    }

    /// The upstream is not silent: bytes of a wire exchange's response came.
    func touch() {
        self.lastActivity = .now()
    }

    /// The exchange's response was answered from the bytes (``finishWire(keepsAlive:)``).
    struct AnsweredOnTheWire: Error {}

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
        self.lastActivity = .now()
        switch self.unwrapInboundIn(data) {
        case .head(let head):
            guard case .awaitingHead(let promise) = self.state else {
                self.close(UpstreamError.badResponse("a response nobody asked for"))
                return
            }
            if head.status.code < 200 { return }  // 1xx: the final head follows
            self.responseKeepsAlive = head.isKeepAlive
            self.state = .collecting(promise, head, [])
        case .body(let bytes):
            switch self.state {
            case .collecting(let promise, let head, var chunks):
                self.state = .idle  // keep the array uniquely referenced while appending
                chunks.append(bytes)
                self.state = .collecting(promise, head, chunks)
            case .streaming(let source):
                if source.yield(bytes) == .stopProducing { self.paused = true }
            case .idle, .awaitingHead, .closed:
                return
            }
        case .end:
            switch self.state {
            case .collecting(let promise, let head, let chunks):
                self.state = .idle
                promise.succeed(Head(head: head, body: UpstreamBody(whole: chunks)))
            case .streaming(let source):
                self.state = .idle
                source.finish()
            case .idle, .awaitingHead, .closed:
                return
            }
            // The body's consumer may still hold reads back: the next exchange (and the upstream's close of
            // an idle connection) must be read.
            self.resumeReads()
            self.reuseOrClose()
        }
    }

    /// The largest `Content-Length` of a body that is gathered whole before the exchange gets it.
    static let wholeLimit = 64 << 10

    /// The read ended with the response still coming: its body becomes a stream, starting with what came, unless
    /// its declared length is small (it is gathered whole; the read timeout still applies).
    func channelReadComplete(context: ChannelHandlerContext) {
        if case .collecting(let promise, let head, let chunks) = self.state, !Self.isSmall(head) {
            let producer = Stream.makeSequence(
                backPressureStrategy: .init(lowWatermark: 2, highWatermark: 16),
                finishOnDeinit: false,
                delegate: BodyDelegate(handler: NIOLoopBound(self, eventLoop: context.eventLoop), exchange: self.exchange)
            )
            self.state = .streaming(producer.source)
            if !chunks.isEmpty, producer.source.yield(contentsOf: chunks) == .stopProducing { self.paused = true }
            promise.succeed(Head(head: head, body: UpstreamBody(producer.sequence)))
        }
        context.fireChannelReadComplete()
    }

    /// Whether the response declares a body of at most ``wholeLimit`` bytes.
    private static func isSmall(_ head: HTTPResponseHead) -> Bool {
        guard let length = head.headers.first(name: "content-length").flatMap({ Int($0) }) else { return false }
        return length <= Self.wholeLimit
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        self.lastActivity = .now()
        context.write(data, promise: promise)
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
        self.resumeReads()
    }

    private func resumeReads() {
        guard self.paused else { return }
        self.paused = false
        self.lastActivity = .now()
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
        // A TLS upstream that closes without close_notify (many do, on idle keep-alive connections) closed
        // the connection: a pooled one may be retried as after a plain close.
        case NIOSSLError.uncleanShutdown: failure = .closed(beforeResponse: self.awaitingHead)
        case let error as NIOSSLError: failure = .connectFailed("TLS: \(error)")
        case let error as NIOSSLExtraError: failure = .connectFailed("TLS: \(error)")
        case let error as BoringSSLError: failure = .connectFailed("TLS: \(error)")
        default: failure = .closed(beforeResponse: self.awaitingHead)
        }
        self.close(failure)
    }

    // MARK: The read timeout

    private func armTimer(context: ChannelHandlerContext) {
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        self.timer = context.eventLoop.scheduleTask(deadline: self.lastActivity + self.readTimeout) {
            handler.value.timerFired()
        }
    }

    private func timerFired() {
        self.timer = nil
        guard let context = self.context else { return }
        if case .closed = self.state { return }
        // Reads held back for a slow consumer: the silence is ours, not the upstream's.
        if self.paused { self.lastActivity = .now() }
        if NIODeadline.now() < self.lastActivity + self.readTimeout {
            self.armTimer(context: context)
            return
        }
        switch self.state {
        // Reads held back for a slow client are not the upstream's silence.
        case .streaming where self.paused: break
        case .awaitingHead, .collecting, .streaming: self.close(UpstreamError.readTimeout)
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
        self.timer?.cancel()
        self.timer = nil
        switch state {
        case .awaitingHead(let promise), .collecting(let promise, _, _): promise.fail(error)
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
