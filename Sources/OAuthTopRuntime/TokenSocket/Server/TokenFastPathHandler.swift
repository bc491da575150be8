import Foundation
import NIOCore
import Primitives

/// Answers `GET /v1/token/{provider}` from the bytes on the wire, on the connection's event loop, in front
/// of the HTTP parser: no HTTP decoding, no header conversions, no hop into a Swift task. Everything it
/// does not answer goes to Hummingbird's HTTP/1.1 pipeline behind it, byte for byte.
///
/// It is the first handler of each connection's pipeline (``TokenSocketChannel``) and reads the
/// connection's requests while they are token requests it can answer at once:
/// - the head is complete and in the strict subset ``FastTokenRequest`` parses (a `GET` of a token path,
///   HTTP/1.1, no body, plain header lines);
/// - the peer is admitted as the middleware admits it: on the Unix socket its `SO_PEERCRED` credentials
///   (read once per connection) pass the ``PeerAccessPolicy``; over TCP the request carries the bearer
///   secret;
/// - the manager's `cachedToken(for:)` has a token, which is what `token(for:)` would hand out without
///   waiting (outside the mandatory window).
///
/// The first request that is anything else (a refusal to give, a token to wait for, another endpoint, a
/// head longer than ``FastTokenRequest/maxHeadLength``) hands the connection to the HTTP parser for good:
/// that request and every byte after it pass through untouched, so responses keep the requests' order
/// (the answers written before it are already on their way). The answer is the slow path's: the same
/// status, body (``TokenSocketHandler/tokenJSON(_:now:)``) and headers (`Content-Type`, `Content-Length`,
/// `Date`), counted and recorded as a consumer the same way.
///
/// Not thread-safe: NIO calls a handler only on its channel's event loop.
final class TokenFastPathHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let admission: TokenSocketMiddleware.Admission
    private let handler: TokenSocketHandler
    /// Whether the connection belongs to the HTTP parser now.
    private var passing = false
    /// The start of a head not complete yet.
    private var pending: ByteBuffer?
    /// The admitted Unix peer of this connection, once read; `.some(nil)` when it is not admitted.
    private var unixPeer: SocketPeer??
    private var needsFlush = false
    private var dateSecond: Int64 = -1
    private var dateBytes: [UInt8] = []

    private static let blankLine: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A]
    private static let headStart = Array("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ".utf8)
    private static let dateField = Array("\r\nDate: ".utf8)

    init(admission: TokenSocketMiddleware.Admission, handler: TokenSocketHandler) {
        self.admission = admission
        self.handler = handler
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if self.passing {
            context.fireChannelRead(data)
            return
        }
        var bytes = self.unwrapInboundIn(data)
        if var pending = self.pending {
            self.pending = nil
            pending.writeBuffer(&bytes)
            bytes = pending
        }
        while bytes.readableBytes > 0 {
            let view = bytes.readableBytesView
            guard let end = Self.headEnd(in: view) else {
                if bytes.readableBytes > FastTokenRequest.maxHeadLength || !FastTokenRequest.mayStartFastRequest(view) {
                    self.pass(bytes, context: context)
                } else {
                    self.pending = bytes
                }
                return
            }
            let headLength = end - view.startIndex
            guard let body = self.answer(view[view.startIndex..<end], channel: context.channel) else {
                self.pass(bytes, context: context)
                return
            }
            self.write(body, context: context)
            bytes.moveReaderIndex(forwardBy: headLength + 2)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        self.flushIfNeeded(context)
        context.fireChannelReadComplete()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // The peer's end of input may make the pipeline behind close the channel: what this handler answered
        // goes out first, and a head begun but not finished goes to the parser, which says what is wrong.
        self.flushIfNeeded(context)
        if let pending = self.pending { self.pass(pending, context: context) }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.pending = nil
        context.fireChannelInactive()
    }

    /// Hands the connection to the HTTP parser, starting with `bytes`.
    private func pass(_ bytes: ByteBuffer, context: ChannelHandlerContext) {
        self.passing = true
        self.pending = nil
        self.flushIfNeeded(context)
        context.fireChannelRead(self.wrapInboundOut(bytes))
    }

    private func flushIfNeeded(_ context: ChannelHandlerContext) {
        if self.needsFlush {
            self.needsFlush = false
            context.flush()
        }
    }

    /// The index just past the head's last header line's CRLF (the blank line's CR), or `nil` when the
    /// blank line has not arrived within the longest head read.
    static func headEnd(in view: ByteBufferView) -> ByteBufferView.Index? {
        view.withUnsafeBytes { WireSyntax.headEnd($0, limit: FastTokenRequest.maxHeadLength + 4) }
            .map { view.startIndex + $0 }
    }

    /// The token body for `head` when the fast path may answer it; `nil` to pass it on.
    private func answer(_ head: ByteBufferView.SubSequence, channel: any Channel) -> [UInt8]? {
        guard let request = FastTokenRequest.parse(head) else { return nil }
        let peer: SocketPeer
        switch self.admission {
        case .unix(let policy):
            if self.unixPeer == nil { self.unixPeer = Self.admitted(channel, policy) }
            guard let admitted = self.unixPeer ?? nil else { return nil }
            peer = admitted
        case .tcp(let secret):
            guard secret.accepts(authorization: request.authorization) else { return nil }
            peer = .tcp
        }
        return self.handler.cachedToken(request.provider, peer: peer)
    }

    /// The Unix peer of `channel` if `policy` admits it; `nil` otherwise, or when its credentials are not
    /// at hand yet (then the middleware decides).
    private static func admitted(_ channel: any Channel, _ policy: PeerAccessPolicy) -> SocketPeer? {
        guard let peer = SocketPeer.unixNow(of: channel), policy.check(peer) == nil else { return nil }
        return peer
    }

    /// Writes a 200 with `body`, with the headers Hummingbird writes for the slow path's answer; flushed once
    /// the read burst ends, so pipelined answers go out together.
    private func write(_ body: [UInt8], context: ChannelHandlerContext) {
        let length = String(body.count).utf8
        let date = self.date()
        var buffer = context.channel.allocator.buffer(
            capacity: Self.headStart.count + length.count + Self.dateField.count + date.count + 4 + body.count
        )
        buffer.writeBytes(Self.headStart)
        buffer.writeBytes(length)
        buffer.writeBytes(Self.dateField)
        buffer.writeBytes(date)
        buffer.writeBytes(Self.blankLine)
        buffer.writeBytes(body)
        context.write(self.wrapOutboundOut(buffer), promise: nil)
        self.needsFlush = true
    }

    /// The `Date` header's value, formatted once a second as Hummingbird's date cache does.
    private func date() -> [UInt8] {
        let second = Int64(time(nil))
        if second != self.dateSecond {
            self.dateSecond = second
            self.dateBytes = Array(HTTPDate.format(secondsSince1970: second).utf8)
        }
        return self.dateBytes
    }
}
