import NIOCore
import NIOHTTP1
import RedisClient  // EventLoopTaskExecutor

/// Serves a proxy connection's body-less requests (a `GET`, `HEAD`, `DELETE` without a body: most API calls) on
/// the connection's event loop, without a Swift task: the request head is checked and prepared by the pipeline
/// (``ProxyPipeline/prepare(_:eventLoop:)``), sent on an idle upstream connection of the same loop with the cached token
/// (``ProxyPipeline/startOnLoop(_:)``), and the upstream's answer is written back when its head (and a small body)
/// arrives. Each async step of the connection's task (``ProxyConnection``) cost a suspension and a job on the loop;
/// this path has none.
///
/// It sits behind ``ProxyConnectionGuard`` (which sees every head and every answer, so `CONNECT`, `Expect` and
/// quiescing work as before) and in front of the async channel of ``ProxyConnection``:
/// - The first request it does not take (a body declared, admission not decided at once: a wrong bearer secret, a
///   Unix peer refused) hands the connection to ``ProxyConnection`` for good: that request and every part after it
///   pass through, so answers keep the requests' order.
/// - A request it took whose next step has to wait (no cached token: a refresh; a rate-limit block; no idle
///   connection on this loop; an auth error to refresh and replay; a rate limit to retry; a streamed answer) goes
///   on in a task that prefers the loop, with the pipeline's own async steps (``ProxyPipeline/forward(_:)``,
///   ``ProxyPipeline/settle(_:response:token:)``, ``ProxyReplyWriter/write(_:for:keepAlive:to:)``).
/// - While a request is served, what arrives after it (pipelined requests, the client's end of input) waits; past
///   ``heldLimit`` parts, so does reading from the socket. (Reading is not held for every request: a read not asked
///   for makes NIO drop the socket's read interest, two `epoll_ctl` calls per request, as NIO's pipelining handler
///   cost before.)
///
/// Not thread-safe: NIO calls a handler only on its channel's event loop, and the tasks come back to it.
final class ProxyFastPathHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let pipeline: ProxyPipeline
    private let admission: ProxyPipeline.Admission
    private let writer: ProxyReplyWriter

    /// The connection belongs to ``ProxyConnection`` now.
    private var passing = false
    /// A request taken, its `.end` not read yet.
    private var taken: HTTPRequestHead?
    /// A request is being answered.
    private var busy = false
    /// Parts and events that came while a request was being answered, in order.
    private var held = CircularBuffer<Held>()
    /// The most parts held before reading from the socket waits too.
    static let heldLimit = 64

    /// A read asked for while too much was held.
    private var readHeld = false
    /// The task that goes on with a request that has to wait; cancelled when the connection ends.
    private var task: Task<Void, Never>?
    /// The admitted Unix peer of this connection, once read; `.some(nil)` when it is not admitted.
    private var unixPeer: SocketPeer??

    private enum Held {
        case part(HTTPServerRequestPart)
        case event(Any)
    }

    init(pipeline: ProxyPipeline, admission: ProxyPipeline.Admission) {
        self.pipeline = pipeline
        self.admission = admission
        self.writer = ProxyReplyWriter(clock: pipeline.clock)
    }

    // MARK: Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if self.passing {
            context.fireChannelRead(data)
            return
        }
        let part = self.unwrapInboundIn(data)
        if self.busy || !self.held.isEmpty {
            self.held.append(.part(part))
            return
        }
        self.take(part, context: context)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // The client's end of input ends the connection's task, which closes the channel: it waits until the answers
        // to what came before it are written.
        if !self.passing, self.busy || !self.held.isEmpty {
            self.held.append(.event(event))
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.task?.cancel()
        self.task = nil
        self.taken = nil
        self.held.removeAll()
        context.fireChannelInactive()
    }

    // MARK: Outbound

    func read(context: ChannelHandlerContext) {
        if !self.passing, self.held.count >= Self.heldLimit {
            self.readHeld = true
            return
        }
        context.read()
    }

    // MARK: Requests

    /// Takes a part of the next request when the connection is idle.
    private func take(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) {
        switch part {
        case .head(let head):
            if self.takes(head, channel: context.channel) {
                self.taken = head
            } else {
                self.pass(part, context: context)
            }
        case .body:
            // A body where none was declared: the parser would not send one. Left to the connection's task.
            self.taken = nil
            self.pass(part, context: context)
        case .end:
            guard let head = self.taken else {
                self.pass(part, context: context)
                return
            }
            self.taken = nil
            self.serve(head, context: context)
        }
    }

    /// Whether this path serves `head`: no body declared, and the client admitted without waiting (the async path
    /// gives every refusal, with its log line and metrics).
    private func takes(_ head: HTTPRequestHead, channel: any Channel) -> Bool {
        // One pass over the fields: the body's framing, and the TCP listener's secret.
        var secretGiven = false
        var lengths = 0
        for (name, value) in head.headers {
            switch name.utf8.count {
            case 17 where name.equalsIgnoringASCIICase("transfer-encoding"):
                return false
            case 14 where name.equalsIgnoringASCIICase("content-length"):
                lengths += 1
                guard lengths == 1, value == "0" else { return false }
            case 13 where name.equalsIgnoringASCIICase("authorization"),
                19 where name.equalsIgnoringASCIICase("proxy-authorization"):
                if case .tcp(let secret) = self.admission, secret.accepts(authorization: value) { secretGiven = true }
            default:
                break
            }
        }
        switch self.admission {
        case .unix(let policy):
            if self.unixPeer == nil {
                let peer = SocketPeer.unixNow(of: channel)
                self.unixPeer = .some(peer.flatMap { policy.check($0) == nil ? $0 : nil })
            }
            return self.unixPeer! != nil
        case .tcp:
            return secretGiven
        }
    }

    /// Hands the connection to ``ProxyConnection`` for good, starting with `part`, then what was held.
    private func pass(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) {
        self.passing = true
        context.fireChannelRead(self.wrapInboundOut(part))
        while let next = self.held.popFirst() {
            switch next {
            case .part(let part): context.fireChannelRead(self.wrapInboundOut(part))
            case .event(let event): context.fireUserInboundEventTriggered(event)
            }
        }
        context.fireChannelReadComplete()
        if self.readHeld {
            self.readHeld = false
            context.read()
        }
    }

    /// Answers a body-less request.
    private func serve(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        self.busy = true
        let exchange: ProxyPipeline.Exchange
        switch self.pipeline.prepare(head, eventLoop: context.eventLoop) {
        case .answer(let answer):
            self.finish(.local(answer), for: head, context: context)
            return
        case .forward(let prepared):
            exchange = prepared
        }
        switch self.pipeline.startOnLoop(exchange) {
        case .async:
            self.continueInTask(head, context: context) { pipeline in try await pipeline.forward(exchange) }
        case .sent(let answered, let token, let started):
            answered.hop(to: context.eventLoop).assumeIsolated().whenComplete { result in
                switch self.pipeline.outcome(of: result, started: started, exchange: exchange) {
                case .reply(let reply):
                    self.finish(reply, for: head, context: context)
                case .settle(let response):
                    self.continueInTask(head, context: context) { pipeline in
                        try await pipeline.settle(exchange, response: response, token: token)
                    }
                case .again:
                    self.continueInTask(head, context: context) { pipeline in try await pipeline.forward(exchange) }
                }
            }
        }
    }

    /// Writes `reply`; the next request is served once its end is written (at once while the client keeps up).
    private func finish(_ reply: ProxyReply, for head: HTTPRequestHead, context: ChannelHandlerContext) {
        self.pipeline.metrics.response(status: reply.status)
        let keepAlive = head.isKeepAlive
        // The client's end of input held behind this answer closes the connection after it.
        let endsAfter = self.held.contains { if case .event = $0 { true } else { false } }
        switch self.writer.writeNow(reply, for: head, keepAlive: keepAlive, waitForEnd: endsAfter, to: context.channel) {
        case .done:
            self.answered(keepAlive: keepAlive, context: context)
        case .wait(let end):
            end.assumeIsolated().whenComplete { _ in self.answered(keepAlive: keepAlive, context: context) }
        case .stream:
            self.continueInTask(head, context: context, answer: reply)
        }
    }

    /// Goes on with `head` in a task on the connection's loop: `work` gives the answer (or `answer` is it already),
    /// which the task writes, streamed if it is.
    private func continueInTask(
        _ head: HTTPRequestHead, context: ChannelHandlerContext, answer: ProxyReply? = nil,
        work: (@Sendable (ProxyPipeline) async throws -> ProxyReply)? = nil
    ) {
        let pipeline = self.pipeline
        let writer = self.writer
        let channel = context.channel
        let loop = context.eventLoop
        let bound = NIOLoopBound((self, context), eventLoop: loop)
        let counted = answer != nil
        self.task = Task(executorPreference: EventLoopTaskExecutor(loop)) {
            var reply: ProxyReply
            if let answer {
                reply = answer
            } else {
                do {
                    reply = try await work!(pipeline)
                } catch {
                    reply = .local(pipeline.failure(error))
                }
            }
            if !counted { pipeline.metrics.response(status: reply.status) }
            let keepAlive = head.isKeepAlive
            do {
                try await writer.write(reply, for: head, keepAlive: keepAlive, to: channel)
            } catch {
                // An answer broken off (the upstream failed or fell silent mid-body, the client went away): the
                // client learns it from the close, as the connection's task closes it.
                try? await channel.close()
                return
            }
            loop.execute {
                let (handler, context) = bound.value
                handler.task = nil
                handler.answered(keepAlive: keepAlive, context: context)
            }
        }
    }

    /// The answer to the request being served is written: what was held goes on.
    private func answered(keepAlive: Bool, context: ChannelHandlerContext) {
        self.busy = false
        guard context.channel.isActive else { return }
        if !keepAlive {
            // (``ProxyConnectionGuard`` closes it too, after the end it saw.)
            context.close(promise: nil)
            return
        }
        while !self.busy, !self.passing, let next = self.held.popFirst() {
            switch next {
            case .part(let part): self.take(part, context: context)
            case .event(let event): context.fireUserInboundEventTriggered(event)
            }
        }
        if !self.passing, self.readHeld, self.held.count < Self.heldLimit {
            self.readHeld = false
            context.read()
        }
    }
}
