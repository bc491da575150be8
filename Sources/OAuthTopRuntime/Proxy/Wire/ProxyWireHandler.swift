import NIOCore
import NIOHTTP1
import Primitives
import RedisClient  // EventLoopTaskExecutor

/// Serves a proxy connection's common requests from the bytes on the wire, in front of NIO's HTTP/1.1 pipeline: a
/// body-less `GET`, `DELETE` or `OPTIONS` in the strict subset ``WireRequestHead`` parses is checked, sent upstream as
/// bytes (``ProxyPipeline/wireRequest(_:in:tokenField:allocator:)``, on an idle connection of the same loop), and
/// answered as bytes (``WireReplyEncoder``), with no HTTP parser, no header strings and no channel handler between.
/// NIO's codec and handlers cost most of a request's time on the other path (`docs/proxy.md`).
///
/// It is the first handler of each connection (``ProxyChannel``). The first request it does not take hands the
/// connection to NIO's pipeline behind it for good, byte for byte from that request on, as the token socket's fast
/// path does: a head outside the subset (a body, another method or version, `Expect`, `Upgrade`, anything NIO's
/// parser might read differently), a client not admitted at once (a wrong bearer secret, a Unix peer refused), a
/// target the request guard refuses. Those paths give every refusal, with its log line.
///
/// A request it took whose next step has to wait (no cached token: a refresh; a rate-limit block; no idle upstream
/// connection on this loop; an auth error to refresh and replay; a rate limit to retry; a streamed answer) goes on in
/// a task that prefers the connection's loop, with the pipeline's own async steps, and its answer is written as bytes
/// too. Quota hooks that act (``ProxyHooks/isPassive``) see every request and response as on the other paths.
///
/// What arrives while a request is served (pipelined requests, the client's end of input, the server's quiescing)
/// waits; past ``heldLimit`` bytes, so does reading from the socket.
///
/// Not thread-safe: NIO calls a handler only on its channel's event loop, and the tasks come back to it.
final class ProxyWireHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    private let pipeline: ProxyPipeline
    private let admission: ProxyPipeline.Admission

    /// The connection belongs to NIO's pipeline now.
    private var passing = false
    /// Bytes read and not served yet.
    private var buffer: ByteBuffer?
    /// A request is being answered.
    private var busy = false
    /// Events that came while a request was answered, in order.
    private var heldEvents: [Any] = []
    /// The server is shutting down: the connection closes after the answer being written.
    private var quiescing = false
    /// A read asked for while too much was held.
    private var readHeld = false
    /// The task that goes on with a request that has to wait; cancelled when the connection ends.
    private var task: Task<Void, Never>?
    /// The admitted Unix peer of this connection, once read; `.some(nil)` when it is not admitted.
    private var unixPeer: SocketPeer??

    /// The most bytes held (pipelined requests) before reading from the socket waits.
    static let heldLimit = 64 << 10

    init(pipeline: ProxyPipeline, admission: ProxyPipeline.Admission) {
        self.pipeline = pipeline
        self.admission = admission
    }

    // MARK: Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if self.passing {
            context.fireChannelRead(data)
            return
        }
        var bytes = self.unwrapInboundIn(data)
        if self.buffer == nil {
            self.buffer = bytes
        } else {
            self.buffer!.writeBuffer(&bytes)
        }
        if !self.busy { self.serveBuffered(context: context) }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if self.passing {
            context.fireUserInboundEventTriggered(event)
            return
        }
        if event is ChannelShouldQuiesceEvent {
            // Idle: closed at once; busy: after the answer being written (what was read after it is dropped).
            if self.busy {
                self.quiescing = true
            } else {
                context.close(promise: nil)
            }
            return
        }
        if self.busy {
            self.heldEvents.append(event)
            return
        }
        // The client's end of input, or another event: a head begun but not finished goes to NIO's parser with it,
        // which says what is wrong; the connection's task behind ends and closes the channel.
        if self.buffer != nil {
            self.pass(context: context)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.task?.cancel()
        self.task = nil
        self.buffer = nil
        self.heldEvents.removeAll()
        context.fireChannelInactive()
    }

    // MARK: Outbound

    func read(context: ChannelHandlerContext) {
        if !self.passing, self.busy, (self.buffer?.readableBytes ?? 0) >= Self.heldLimit {
            self.readHeld = true
            return
        }
        context.read()
    }

    // MARK: Requests

    /// Serves the buffered requests while the connection is idle and they are in the subset.
    private func serveBuffered(context: ChannelHandlerContext) {
        while !self.busy, !self.passing, var bytes = self.buffer {
            let parsed = bytes.withUnsafeReadableBytes { WireRequestHead.parse($0) }
            switch parsed {
            case .incomplete:
                return
            case .outside:
                self.pass(context: context)
                return
            case .head(let head):
                let target = bytes.withUnsafeReadableBytes { self.admits(head, in: $0, channel: context.channel) }
                guard let target else {
                    self.pass(context: context)
                    return
                }
                let request = bytes.readSlice(length: head.length)!
                self.buffer = bytes.readableBytes > 0 ? bytes : nil
                self.serve(head, request: request, target: target, context: context)
            }
        }
    }

    /// The request's target when this path serves it: the client admitted without waiting (the TCP listener's
    /// bearer secret in `Authorization` or `Proxy-Authorization`, or the Unix peer's credentials, read once per
    /// connection) and the target passes the request guard.
    private func admits(_ head: WireRequestHead, in bytes: UnsafeRawBufferPointer, channel: any Channel)
        -> ProxyRequestGuard.Target?
    {
        switch self.admission {
        case .unix(let policy):
            if self.unixPeer == nil {
                let peer = SocketPeer.unixNow(of: channel)
                self.unixPeer = .some(peer.flatMap { policy.check($0) == nil ? $0 : nil })
            }
            guard self.unixPeer! != nil else { return nil }
        case .tcp(let secret):
            let given = head.fields.contains { field in
                (field.kind == .authorization || field.kind == .proxyAuthorization)
                    && secret.accepts(
                        bytes: UnsafeRawBufferPointer(rebasing: bytes[field.value]).assumingMemoryBound(to: UInt8.self)
                    )
            }
            guard given else { return nil }
        }
        let target = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[head.target]), as: UTF8.self)
        guard case .success(let checked) = ProxyRequestGuard.check(method: head.method.name, target: target) else {
            return nil
        }
        return checked
    }

    /// Hands the connection to NIO's pipeline for good, starting with the buffered bytes, then the held events.
    private func pass(context: ChannelHandlerContext) {
        self.passing = true
        if let bytes = self.buffer {
            self.buffer = nil
            context.fireChannelRead(self.wrapInboundOut(bytes))
        }
        for event in self.heldEvents { context.fireUserInboundEventTriggered(event) }
        self.heldEvents.removeAll()
        context.fireChannelReadComplete()
        if self.readHeld {
            self.readHeld = false
            context.read()
        }
    }

    /// Answers a request taken.
    private func serve(
        _ head: WireRequestHead, request: ByteBuffer, target: ProxyRequestGuard.Target, context: ChannelHandlerContext
    ) {
        self.busy = true
        let pipeline = self.pipeline
        let loop = context.eventLoop
        let closes = head.closes
        /// The exchange of the async steps, made only when they are taken (or when the hooks act).
        func preparation() -> ProxyPipeline.Preparation {
            pipeline.wirePreparation(head, request: request, target: target, eventLoop: loop)
        }
        var exchange: ProxyPipeline.Exchange?
        if !pipeline.hooks.isPassive {
            switch preparation() {
            case .answer(let answer):
                self.finish(.local(answer), closes: closes, context: context)
                return
            case .forward(let prepared):
                exchange = prepared
            }
        }
        /// Goes on in a task with the async steps; `work` gives the answer from the exchange.
        func goOn(_ work: @escaping @Sendable (ProxyPipeline, ProxyPipeline.Exchange) async throws -> ProxyReply) {
            switch exchange.map(ProxyPipeline.Preparation.forward) ?? preparation() {
            case .answer(let answer):
                self.finish(.local(answer), closes: closes, context: context)
            case .forward(let exchange):
                self.continueInTask(closes: closes, context: context) { pipeline in try await work(pipeline, exchange) }
            }
        }
        guard let token = pipeline.manager.cachedToken(for: pipeline.provider),
            let tokenField = pipeline.tokenField(token),
            pipeline.block.blockedUntil(now: pipeline.clock.now()) == nil,
            let connection = pipeline.pool.idleConnection(on: loop)
        else {
            goOn { pipeline, exchange in try await pipeline.forward(exchange) }
            return
        }
        let upstreamRequest = request.withUnsafeReadableBytes {
            pipeline.wireRequest(head, in: $0, tokenField: tokenField, allocator: context.channel.allocator)
        }
        let started = ContinuousClock.now
        connection.startWire(
            upstreamRequest, method: head.method.httpMethod, divertedStatuses: pipeline.wire.divertedStatuses,
            pool: pipeline.pool
        )
            .hop(to: loop).assumeIsolated().whenSuccess { outcome in
                switch outcome {
                case .response(let response):
                    pipeline.metrics.upstreamTimer.recordNanoseconds((ContinuousClock.now - started).nanoseconds)
                    if let exchange { pipeline.observed(exchange, response) }
                    pipeline.metrics.response(status: response.status)
                    let bytes = response.answer(clientCloses: closes, allocator: context.channel.allocator)
                    self.write(bytes, closes: closes, context: context)
                case .parsed(let result):
                    switch pipeline.outcome(of: result, started: started, exchange: exchange) {
                    case .reply(let reply):
                        self.finish(reply, closes: closes, context: context)
                    case .settle(let response):
                        goOn { pipeline, exchange in try await pipeline.settle(exchange, response: response, token: token) }
                    case .again:
                        goOn { pipeline, exchange in try await pipeline.forward(exchange) }
                    }
                }
            }
    }

    /// Writes `reply` when it is all here, else streams it in a task; counts its status class.
    private func finish(_ reply: ProxyReply, closes: Bool, context: ChannelHandlerContext) {
        self.pipeline.metrics.response(status: reply.status)
        let closes = closes || self.quiescing
        guard let bytes = Self.whole(reply, closes: closes, clock: self.pipeline.clock, allocator: context.channel.allocator)
        else {
            self.continueInTask(closes: closes, context: context, answer: reply)
            return
        }
        self.write(bytes, closes: closes, context: context)
    }

    /// Writes an answer's bytes; the next request is served once they are written (at once while the client keeps
    /// up).
    private func write(_ bytes: ByteBuffer, closes: Bool, context: ChannelHandlerContext) {
        if !closes, context.channel.isWritable {
            context.writeAndFlush(self.wrapOutboundOut(.byteBuffer(bytes)), promise: nil)
            self.answered(closes: false, context: context)
            return
        }
        // Before a close, or when the client is behind: the next step waits for the write.
        context.writeAndFlush(self.wrapOutboundOut(.byteBuffer(bytes))).assumeIsolated().whenComplete { _ in
            self.answered(closes: closes, context: context)
        }
    }

    /// Goes on with a request in a task on the connection's loop: `work` gives the answer (or `answer` is it already,
    /// counted), which the task writes, streamed if it is.
    private func continueInTask(
        closes: Bool, context: ChannelHandlerContext, answer: ProxyReply? = nil,
        work: (@Sendable (ProxyPipeline) async throws -> ProxyReply)? = nil
    ) {
        let pipeline = self.pipeline
        let loop = context.eventLoop
        let channel = context.channel
        let bound = NIOLoopBound((self, context), eventLoop: loop)
        let closing = closes
        self.task = Task(executorPreference: EventLoopTaskExecutor(loop)) {
            let reply: ProxyReply
            if let answer {
                reply = answer
            } else {
                reply = await ProxyWireHandler.answer(pipeline: pipeline, work: work)
            }
            // A shutdown begun meanwhile closes the connection after this answer, which says so.
            let quiescing = try? await loop.submit { bound.value.0.quiescing }.get()
            let closes = closing || quiescing == true
            do {
                try await ProxyWireHandler.write(reply, closes: closes, pipeline: pipeline, to: bound)
            } catch {
                // An answer broken off (the upstream failed or fell silent mid-body, the client went away): the client
                // learns it from the close.
                try? await channel.close()
                return
            }
            loop.execute {
                let (handler, context) = bound.value
                handler.task = nil
                handler.answered(closes: closes, context: context)
            }
        }
    }

    /// The answer `work` gives (or the failure's), counted.
    private static func answer(
        pipeline: ProxyPipeline, work: (@Sendable (ProxyPipeline) async throws -> ProxyReply)?
    ) async -> ProxyReply {
        let reply: ProxyReply
        do {
            reply = try await work!(pipeline)
        } catch {
            reply = .local(pipeline.failure(error))
        }
        pipeline.metrics.response(status: reply.status)
        return reply
    }

    /// The answer to the request being served is written: what was held goes on.
    private func answered(closes: Bool, context: ChannelHandlerContext) {
        self.busy = false
        guard context.channel.isActive else { return }
        if closes || self.quiescing {
            context.close(promise: nil)
            return
        }
        if !self.heldEvents.isEmpty {
            // The client's end of input (or another event) after the requests before it: the pipeline behind ends
            // the connection.
            self.pass(context: context)
            return
        }
        self.serveBuffered(context: context)
        if self.readHeld, !self.busy || (self.buffer?.readableBytes ?? 0) < Self.heldLimit {
            self.readHeld = false
            context.read()
        }
    }

    // MARK: Writing answers

    /// The bytes of `reply` when it is all here (a local answer, or an upstream answer with its whole body), seen by
    /// its tee; `nil` for a streamed body.
    private static func whole(
        _ reply: ProxyReply, closes: Bool, clock: WallClock, allocator: ByteBufferAllocator
    ) -> ByteBuffer? {
        switch reply {
        case .local(let answer):
            var fields = HTTPHeaders(answer.fields)
            // The proxy's own answers carry its clock's Date (a cached one keeps the upstream's).
            if !fields.contains(name: "Date") {
                fields.add(name: "Date", value: HTTPDate.format(secondsSince1970: clock.now() / 1_000_000_000))
            }
            var buffer = allocator.buffer(capacity: 256 + answer.body.readableBytes)
            let framing = WireReplyEncoder.head(
                status: Int(answer.status.code), fields: fields, bodyLength: answer.body.readableBytes, closes: closes,
                into: &buffer
            )
            if framing != .none { buffer.writeImmutableBuffer(answer.body) }
            return buffer
        case .upstream(let status, let headers, let body, let tee):
            guard let chunks = body.whole else { return nil }
            let length = chunks.reduce(0) { $0 + $1.readableBytes }
            var buffer = allocator.buffer(capacity: 64 + headers.count * 40 + length)
            let framing = WireReplyEncoder.head(
                status: status, fields: headers, bodyLength: length, closes: closes, into: &buffer
            )
            for chunk in chunks {
                tee?.append(chunk)
                if framing != .none { buffer.writeImmutableBuffer(chunk) }
            }
            tee?.finish(complete: true)
            return buffer
        }
    }

    /// Writes `reply` from a task: whole, or its head and then each chunk of its body as the upstream sends it (so
    /// server-sent events arrive as they are produced), each write waited for when the client is behind.
    private static func write(
        _ reply: ProxyReply, closes: Bool, pipeline: ProxyPipeline,
        to bound: NIOLoopBound<(ProxyWireHandler, ChannelHandlerContext)>
    ) async throws {
        let loop = bound.eventLoop
        /// Writes and flushes `bytes` on the loop; waits for the write when the client is behind (or `wait`).
        func send(_ bytes: ByteBuffer, wait: Bool = false) async throws {
            let written = try await loop.submit { () -> EventLoopFuture<Void>? in
                let (handler, context) = bound.value
                let future = context.writeAndFlush(handler.wrapOutboundOut(.byteBuffer(bytes)))
                return wait || !context.channel.isWritable ? future : nil
            }.get()
            try await written?.get()
        }
        if let bytes = Self.whole(reply, closes: closes, clock: pipeline.clock, allocator: ByteBufferAllocator()) {
            try await send(bytes, wait: true)
            return
        }
        guard case .upstream(let status, let headers, let body, let tee) = reply else { return }
        var head = ByteBufferAllocator().buffer(capacity: 256)
        let framing = WireReplyEncoder.head(status: status, fields: headers, bodyLength: nil, closes: closes, into: &head)
        try await send(head)
        var complete = false
        defer { tee?.finish(complete: complete) }
        for try await chunk in body {
            tee?.append(chunk)
            switch framing {
            case .none:
                continue
            case .length:
                try await send(chunk)
            case .chunked:
                var framed = ByteBufferAllocator().buffer(capacity: chunk.readableBytes + 16)
                WireReplyEncoder.chunk(chunk, into: &framed)
                if framed.readableBytes > 0 { try await send(framed) }
            }
        }
        if framing == .chunked {
            try await send(ByteBuffer(bytes: WireReplyEncoder.chunkedEnd), wait: true)
        } else {
            try await send(ByteBuffer(), wait: true)
        }
        complete = true
    }
}

extension WireRequestHead.Method {
    var httpMethod: HTTPMethod {
        switch self {
        case .get: .GET
        case .delete: .DELETE
        case .options: .OPTIONS
        }
    }
}
