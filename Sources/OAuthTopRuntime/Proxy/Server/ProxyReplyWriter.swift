import NIOCore
import NIOHTTP1
import Primitives

/// Writes the pipeline's answers to a client's connection, for both ways a request is served (the connection's
/// task, ``ProxyConnection``, and the event-loop fast path, ``ProxyFastPathHandler``).
///
/// An answer's head and body are written without a flush each; the flush comes when the body ends, or when the next
/// chunk of a streamed body is not there yet (a flush queued behind the wait), so that a small response leaves in
/// one write and a stream (server-sent events) leaves chunk by chunk as the upstream sends it. A client that reads
/// slowly gets the rest only as fast as it reads (the channel's writability).
struct ProxyReplyWriter {
    let clock: WallClock

    /// How far ``writeNow(_:for:keepAlive:to:)`` got.
    enum Written {
        /// Written to its end, which is flushing: the next request may be served.
        case done
        /// Written; the next request waits for this (the end's write: the client is behind, or the connection
        /// closes after it).
        case wait(EventLoopFuture<Void>)
        /// Nothing written: the body is a stream, written by ``write(_:for:keepAlive:to:)``.
        case stream
    }

    /// Writes `reply` if it is all here (a local answer, or an upstream answer with its whole body): head, body and
    /// end in one flush. Call on the channel's event loop.
    ///
    /// - Parameter waitForEnd: Return the end's write to wait for even while the client keeps up (the connection
    ///   is about to end: the client closed its side).
    func writeNow(
        _ reply: ProxyReply, for request: HTTPRequestHead, keepAlive: Bool, waitForEnd: Bool = false, to channel: any Channel
    ) -> Written {
        switch reply {
        case .local(let answer):
            var head = HTTPResponseHead(version: request.version, status: .init(statusCode: Int(answer.status.code)))
            head.headers = HTTPHeaders(answer.fields)
            // The proxy's own answers carry its clock's Date (a cached one keeps the upstream's).
            if !head.headers.contains(name: "Date") {
                head.headers.add(name: "Date", value: HTTPDate.format(secondsSince1970: self.clock.now() / 1_000_000_000))
            }
            Self.connection(&head, keepAlive: keepAlive, request: request)
            channel.write(HTTPServerResponsePart.head(head), promise: nil)
            if answer.body.readableBytes > 0, request.method != .HEAD {
                channel.write(HTTPServerResponsePart.body(.byteBuffer(answer.body)), promise: nil)
            }
            return Self.end(channel, keepAlive: keepAlive && !waitForEnd)
        case .upstream(let status, let headers, let body, let tee):
            guard let chunks = body.whole else { return .stream }
            Self.writeHead(status: status, headers: headers, request: request, keepAlive: keepAlive, to: channel)
            for chunk in chunks {
                tee?.append(chunk)
                channel.write(HTTPServerResponsePart.body(.byteBuffer(chunk)), promise: nil)
            }
            tee?.finish(complete: true)
            return Self.end(channel, keepAlive: keepAlive && !waitForEnd)
        }
    }

    /// Writes `reply`, a streamed body chunk by chunk as the upstream sends it, and closes the connection after it
    /// when it is not kept alive.
    func write(_ reply: ProxyReply, for request: HTTPRequestHead, keepAlive: Bool, to channel: any Channel) async throws {
        // The connection's task runs on its loop (its executor preference): written there at once.
        let written =
            channel.eventLoop.inEventLoop
            ? self.writeNow(reply, for: request, keepAlive: keepAlive, to: channel)
            : try await channel.eventLoop.submit { self.writeNow(reply, for: request, keepAlive: keepAlive, to: channel) }.get()
        switch written {
        case .done:
            break
        case .wait(let end):
            try await end.get()
        case .stream:
            guard case .upstream(let status, let headers, let body, let tee) = reply else { return }
            Self.writeHead(status: status, headers: headers, request: request, keepAlive: keepAlive, to: channel)
            var complete = false
            defer { tee?.finish(complete: complete) }
            var iterator = body.makeAsyncIterator()
            while true {
                // The head and earlier chunks leave now unless the next chunk is already here.
                channel.eventLoop.execute { channel.flush() }
                guard let chunk = try await iterator.next() else { break }
                tee?.append(chunk)
                if channel.isWritable {
                    channel.write(HTTPServerResponsePart.body(.byteBuffer(chunk)), promise: nil)
                } else {
                    try await channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(chunk))).get()
                }
            }
            complete = true
            if case .wait(let end) = Self.end(channel, keepAlive: keepAlive) { try await end.get() }
        }
        if !keepAlive { try? await channel.close() }
    }

    private static func writeHead(
        status: Int, headers: HTTPHeaders, request: HTTPRequestHead, keepAlive: Bool, to channel: any Channel
    ) {
        var head = HTTPResponseHead(version: request.version, status: .init(statusCode: status))
        head.headers = headers
        Self.connection(&head, keepAlive: keepAlive, request: request)
        channel.write(HTTPServerResponsePart.head(head), promise: nil)
    }

    /// Writes and flushes the answer's end. While the client keeps up and the connection stays open, the end is not
    /// waited for (it leaves before anything of the next answer; a failed write closes the connection, and the next
    /// read ends); before a close, or when the client is behind, it is.
    private static func end(_ channel: any Channel, keepAlive: Bool) -> Written {
        if keepAlive, channel.isWritable {
            channel.writeAndFlush(HTTPServerResponsePart.end(nil), promise: nil)
            return .done
        }
        return .wait(channel.writeAndFlush(HTTPServerResponsePart.end(nil)))
    }

    /// `Connection: close` when the connection ends after this answer; `keep-alive` for an HTTP/1.0 client
    /// that asked for it.
    private static func connection(_ head: inout HTTPResponseHead, keepAlive: Bool, request: HTTPRequestHead) {
        if !keepAlive {
            head.headers.replaceOrAdd(name: "Connection", value: "close")
        } else if request.version.major == 1, request.version.minor == 0 {
            head.headers.replaceOrAdd(name: "Connection", value: "keep-alive")
        }
    }
}
