import NIOCore
import NIOHTTP1

/// The rules of one HTTP/1.1 connection that NIO's server pipeline does not keep for a reverse proxy. It sits
/// right behind NIO's request parser and follows which answer belongs to which request (answers go out in request
/// order, pipelined ones too):
///
/// - **`CONNECT`** gets 405 wherever it comes on a connection (its first request, or a later one on a keep-alive
///   connection), written once the answers to the requests before it are, and the connection is closed. NIO's
///   parser takes a `CONNECT` for the start of a tunnel and parses nothing after it, and NIO's response encoder
///   sends no body to a `CONNECT`, so the refusal never reaches the pipeline: it is written below the encoder.
/// - **A protocol switch** (`Upgrade` with `Connection: upgrade`, as curl's `--http2` sends over plain HTTP): the
///   parser reads no further request on the connection either, so the request is answered as any other (the
///   proxy does not switch; `Upgrade` is hop-by-hop and not forwarded), with `Connection: close`, and the
///   connection is closed after that answer.
/// - **`Expect: 100-continue`** (HTTP/1.1, RFC 9110 §10.1.1) gets `100 Continue` once the answers before it are
///   written, so a client that holds its body back for it (curl does for large bodies) sends it at once instead
///   of after its own timeout. The proxy answers the expectation itself; it is not forwarded.
/// - **Closing** (RFC 9112 §9.3, §9.6): a request that does not keep the connection alive (`Connection: close`, or
///   HTTP/1.0 without `keep-alive`) is answered with `Connection: close` and the connection closed after it. An
///   answer without `Content-Length` to an HTTP/1.0 request is sent as HTTP/1.0, its body ended by the close:
///   never chunked, which an HTTP/1.0 client cannot read (RFC 9112 §6.1).
/// - **Framing**: NIO's response encoder runs without its automatic framing; an answer without `Content-Length` is
///   chunked (HTTP/1.1), one whose status has no body (204, 304) carries neither framing field.
/// - **Quiescing** (the server's graceful shutdown, `ChannelShouldQuiesceEvent`): an idle connection closes at
///   once; a busy one closes after the answer to the last request it has received, and requests after that are
///   dropped. (This is what NIO's pipelining handler would do; the proxy does without that handler, which stops
///   and restarts reading around every answer: two `epoll_ctl` calls per request. ``ProxyFastPathHandler`` and
///   the connection's task serve one request at a time anyway, and hold back reading when too much waits.)
final class ProxyConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// A request passed on whose answer has not been written to its end.
    private struct Pending {
        /// Close once it is answered: the parser reads nothing after it, or the client does not keep it alive.
        var closeAfter: Bool
        /// An HTTP/1.0 request.
        var legacy: Bool
        /// It expects `100 Continue`, not sent yet.
        var awaitsContinue: Bool
    }

    private var pending = CircularBuffer<Pending>(initialCapacity: 2)
    /// A `CONNECT` arrived: it is refused once `pending` is empty; what follows it is dropped.
    private var refusing = false
    /// The server is shutting down: the last pending request is answered and the connection closed.
    private var quiescing = false
    /// A request came after the shutdown began: it and what follows it are dropped.
    private var dropping = false
    private let refusal: ByteBuffer
    private let refused: @Sendable () -> Void

    /// - Parameters:
    ///   - connectRefusal: The JSON body of the 405 to a `CONNECT`.
    ///   - refused: Called once for each refused `CONNECT` (the status-class counter).
    init(connectRefusal body: String, refused: @escaping @Sendable () -> Void) {
        var head = "HTTP/1.1 405 Method Not Allowed\r\nContent-Type: application/json\r\nCache-Control: no-store\r\n"
        head += "Allow: GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS\r\nConnection: close\r\n"
        head += "Content-Length: \(body.utf8.count)\r\n\r\n"
        self.refusal = ByteBuffer(string: head + body)
        self.refused = refused
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !self.refusing, !self.dropping else { return }
        guard case .head(let head) = self.unwrapInboundIn(data) else {
            context.fireChannelRead(data)
            return
        }
        if self.quiescing {
            // A request after the shutdown began: dropped with what follows it (the close comes after the answer
            // to the request before it).
            self.dropping = true
            return
        }
        if head.method == .CONNECT {
            self.refusing = true
            if self.pending.isEmpty { self.refuse(context: context) }
            return
        }
        let awaitsContinue = Self.expectsContinue(head)
        self.pending.append(
            Pending(
                closeAfter: !head.isKeepAlive || head.headers.contains(name: "upgrade"),
                legacy: head.version.major == 1 && head.version.minor == 0, awaitsContinue: awaitsContinue
            )
        )
        if awaitsContinue, self.pending.count == 1 { self.sendContinue(context: context) }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch self.unwrapOutboundIn(data) {
        case .head(var head) where !Self.isInterim(head.status):
            let framing = Framing(head.headers)
            let mayHaveBody = head.status.mayHaveResponseBody
            let unframed = self.pending.first?.legacy == true && mayHaveBody && !framing.length
            let closes = self.pending.first?.closeAfter == true || unframed
            // NIO's encoder frames nothing here (its automatic framing copied every answer's fields to remove a
            // `Transfer-Encoding` none had): an answer without a length is chunked (HTTP/1.1), one that cannot have a
            // body has neither field, and a length wins over a transfer coding, as NIO's encoder would have made them.
            let chunk = mayHaveBody && !framing.length && !framing.chunked && !unframed
            let strip = (!mayHaveBody && (framing.length || framing.chunked)) || (framing.length && framing.chunked)
            guard closes || chunk || strip else {
                context.write(data, promise: promise)
                return
            }
            if unframed {
                // An HTTP/1.1 answer without a length would be chunked; as HTTP/1.0 it ends with the close.
                head.version = .http1_0
                self.pending[self.pending.startIndex].closeAfter = true
            }
            if strip {
                head.headers.remove(name: "transfer-encoding")
                if !mayHaveBody { head.headers.remove(name: "content-length") }
            }
            if chunk { head.headers.add(name: "transfer-encoding", value: "chunked") }
            if closes { head.headers.replaceOrAdd(name: "connection", value: "close") }
            context.write(self.wrapOutboundOut(.head(head)), promise: promise)
        case .end:
            let answered = self.pending.popFirst()
            guard answered?.closeAfter != true else {
                let channel = context.channel
                let written = promise ?? context.eventLoop.makePromise()
                context.write(data, promise: written)
                written.futureResult.whenComplete { _ in channel.close(promise: nil) }
                return
            }
            context.write(data, promise: promise)
            if let next = self.pending.first {
                if next.awaitsContinue { self.sendContinue(context: context) }
            } else if self.refusing {
                self.refuse(context: context)
            }
        default:
            context.write(data, promise: promise)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ChannelShouldQuiesceEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        guard !self.pending.isEmpty else {
            context.close(promise: nil)
            return
        }
        self.quiescing = true
        self.pending[self.pending.index(before: self.pending.endIndex)].closeAfter = true
    }

    /// Whether the request expects `100 Continue`: an HTTP/1.1 (or later) request whose `Expect` names
    /// `100-continue` (an HTTP/1.0 request's expectation is ignored, RFC 9110 §10.1.1).
    static func expectsContinue(_ head: HTTPRequestHead) -> Bool {
        guard head.version.major > 1 || (head.version.major == 1 && head.version.minor >= 1) else { return false }
        return head.headers["expect"].contains { value in
            value.split(separator: ",").contains { member in
                member.lowercased().filter { $0 != " " && $0 != "\t" } == "100-continue"
            }
        }
    }

    /// The framing fields an answer has (one pass over its fields).
    private struct Framing {
        var length = false
        var chunked = false

        init(_ headers: HTTPHeaders) {
            for (name, _) in headers {
                switch name.utf8.count {
                case 14 where name.equalsIgnoringASCIICase("content-length"): self.length = true
                case 17 where name.equalsIgnoringASCIICase("transfer-encoding"): self.chunked = true
                default: break
                }
            }
        }
    }

    /// A 1xx answer other than 101 is followed by the final one.
    private static func isInterim(_ status: HTTPResponseStatus) -> Bool {
        (100..<200).contains(status.code) && status != .switchingProtocols
    }

    /// Sends `100 Continue` for the first pending request (the answers before it are written).
    private func sendContinue(context: ChannelHandlerContext) {
        self.pending[self.pending.startIndex].awaitsContinue = false
        let interim = HTTPResponseHead(version: .http1_1, status: .continue)
        context.writeAndFlush(self.wrapOutboundOut(.head(interim)), promise: nil)
    }

    /// Writes the 405 below NIO's response encoder (which sends no body to a `CONNECT`), then closes.
    private func refuse(context: ChannelHandlerContext) {
        self.refused()
        let channel = context.channel
        guard let encoder = try? context.pipeline.syncOperations.context(handlerType: HTTPResponseEncoder.self) else {
            channel.close(promise: nil)
            return
        }
        encoder.writeAndFlush(NIOAny(IOData.byteBuffer(self.refusal))).whenComplete { _ in channel.close(promise: nil) }
    }
}
