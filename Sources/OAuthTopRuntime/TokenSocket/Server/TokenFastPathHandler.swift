import Foundation
import Hummingbird
import NIOCore
import NIOHTTPTypes
import Primitives

/// Answers `GET /v1/token/{provider}` on the connection's event loop, without the hop into a Swift task
/// that every Hummingbird request takes, when the answer needs no waiting; passes every other request on to
/// Hummingbird untouched.
///
/// It sits after `HTTP1ToHTTPServerCodec` (Hummingbird's `additionalChannelHandlers`) and answers a request
/// itself only when all of these hold, else the request goes the slow, single-flight way of
/// ``TokenSocketMiddleware`` and ``TokenSocketHandler``:
/// - nothing is outstanding on the connection: every request passed on has had its response's `.end`
///   written (so pipelined requests are answered in order);
/// - it is a `GET` that ``SocketRoute`` parses to `.token` of a configured provider, with no body and
///   no `Connection: close`;
/// - the peer is admitted as the middleware admits it: on the Unix socket its `SO_PEERCRED` credentials
///   (read once per connection) pass the ``PeerAccessPolicy``; over TCP the request carries the bearer
///   secret;
/// - the manager's `cachedToken(for:)` has a token, which is what `token(for:)` would hand out without
///   waiting (outside the mandatory window).
///
/// The answer is the slow path's: the same status, body (``TokenSocketHandler/tokenJSON(_:now:)``) and
/// headers (`Content-Type`, `Content-Length`, `Date`), counted and recorded as a consumer the same way.
///
/// Not thread-safe: NIO calls a handler only on its channel's event loop.
final class TokenFastPathHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private enum State {
        /// Between requests.
        case idle
        /// Passing the current request's parts on to Hummingbird.
        case passing
        /// Answered the current request; dropping its parts up to its `.end`.
        case answered
    }

    private let admission: TokenSocketMiddleware.Admission
    private let handler: TokenSocketHandler
    private var state = State.idle
    /// Requests passed on whose response has not ended yet.
    private var outstanding = 0
    /// The admitted Unix peer of this connection, once read; `.some(nil)` when it is not admitted.
    private var unixPeer: SocketPeer??
    private var needsFlush = false
    private var dateSecond: Int64 = -1
    private var dateText = ""

    init(admission: TokenSocketMiddleware.Admission, handler: TokenSocketHandler) {
        self.admission = admission
        self.handler = handler
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = self.unwrapInboundIn(data)
        switch self.state {
        case .idle:
            if case .head(let head) = part, self.outstanding == 0, let body = self.answer(head, channel: context.channel) {
                self.state = .answered
                self.write(body, context: context)
                return
            }
            if case .head = part {
                self.outstanding += 1
                self.state = .passing
            }
            context.fireChannelRead(data)
        case .passing:
            if case .end = part { self.state = .idle }
            context.fireChannelRead(data)
        case .answered:
            if case .end = part { self.state = .idle }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        self.flushIfNeeded(context)
        context.fireChannelReadComplete()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // The peer's end of input (or any other event) may make Hummingbird close the channel: what this
        // handler answered goes out first.
        self.flushIfNeeded(context)
        context.fireUserInboundEventTriggered(event)
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        self.flushIfNeeded(context)
        context.close(mode: mode, promise: promise)
    }

    private func flushIfNeeded(_ context: ChannelHandlerContext) {
        if self.needsFlush {
            self.needsFlush = false
            context.flush()
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = self.unwrapOutboundIn(data) { self.outstanding = max(0, self.outstanding - 1) }
        context.write(data, promise: promise)
    }

    /// The token body for `head` when the fast path may answer it; `nil` to pass it on.
    private func answer(_ head: HTTPRequest, channel: any Channel) -> [UInt8]? {
        guard head.method == .get, let target = head.path,
            case .token(let name)? = try? SocketRoute.parse(method: "GET", target: target)
        else { return nil }
        let fields = head.headerFields
        if let length = fields[.contentLength], length != "0" { return nil }
        if fields[.transferEncoding] != nil { return nil }
        if let connection = fields[.connection], connection.lowercased().contains("close") { return nil }
        let peer: SocketPeer
        switch self.admission {
        case .unix(let policy):
            if self.unixPeer == nil { self.unixPeer = Self.admitted(channel, policy) }
            guard let admitted = self.unixPeer ?? nil else { return nil }
            peer = admitted
        case .tcp(let secret):
            guard secret.accepts(authorization: fields[.authorization]) else { return nil }
            peer = .tcp
        }
        return self.handler.cachedToken(name, peer: peer)
    }

    /// The Unix peer of `channel` if `policy` admits it; `nil` otherwise, or when its credentials are not
    /// at hand yet (then the middleware decides).
    private static func admitted(_ channel: any Channel, _ policy: PeerAccessPolicy) -> SocketPeer? {
        var peer: SocketPeer?
        // Complete already on the event loop, so the callback runs before `whenSuccess` returns.
        SocketPeer.unixPeer(of: channel).assumeIsolated().whenSuccess { peer = $0 }
        guard let peer, policy.check(peer) == nil else { return nil }
        return peer
    }

    /// Writes a 200 with `body`, as Hummingbird writes the middleware's response; flushed once the read
    /// burst ends, so pipelined answers go out together.
    private func write(_ body: [UInt8], context: ChannelHandlerContext) {
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        fields[.contentLength] = String(body.count)
        fields[.date] = self.date()
        context.write(self.wrapOutboundOut(.head(HTTPResponse(status: .ok, headerFields: fields))), promise: nil)
        var buffer = context.channel.allocator.buffer(capacity: body.count)
        buffer.writeBytes(body)
        context.write(self.wrapOutboundOut(.body(buffer)), promise: nil)
        context.write(self.wrapOutboundOut(.end(nil)), promise: nil)
        self.needsFlush = true
    }

    /// The `Date` header, formatted once a second as Hummingbird's date cache does.
    private func date() -> String {
        let second = Int64(time(nil))
        if second != self.dateSecond {
            self.dateSecond = second
            self.dateText = HTTPDate.format(secondsSince1970: second)
        }
        return self.dateText
    }
}
