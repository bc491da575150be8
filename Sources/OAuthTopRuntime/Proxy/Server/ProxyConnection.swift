import Logging
import NIOCore
import NIOHTTP1
import Primitives

/// One client connection of a proxy listener: its requests in order, each answered through the pipeline,
/// on the connection's event loop (the task prefers it as its executor).
///
/// An answer's head and body are written without a flush each; the flush comes when the body ends, or when
/// the next chunk is not there yet (a flush queued behind the wait), so that a small response leaves in one
/// write and a stream (server-sent events) leaves chunk by chunk as the upstream sends it. A client that
/// reads slowly gets the rest only as fast as it reads (the channel's writability).
struct ProxyConnection {
    let channel: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>
    let pipeline: ProxyPipeline
    let admission: ProxyPipeline.Admission
    let logger: Logger

    func serve() async {
        let channel = self.channel.channel
        do {
            try await self.channel.executeThenClose { inbound, _ in
                let parts = ProxyInboundParts(inbound.makeAsyncIterator())
                while let head = try await parts.nextHead() {
                    let reply = await self.pipeline.respond(
                        to: head, body: ProxyInboundBody(parts: parts), channel: channel, admission: self.admission
                    )
                    // A body the pipeline left unread (a refusal) is read to its end after the answer when it is
                    // small (a GET's empty one, a short form); with a larger one, or one an upload may still be
                    // reading, the connection closes.
                    let keepAlive = head.isKeepAlive && !parts.handedOff && (parts.bodyEnded || Self.isSmall(head))
                    try await self.write(reply, for: head, keepAlive: keepAlive)
                    if keepAlive, !parts.bodyEnded, try await !Self.drain(parts) {
                        try? await channel.close()
                        break
                    }
                    if !keepAlive { break }
                }
            }
        } catch {
            self.logger.trace("proxy connection ended", metadata: ["error": "\(type(of: error))"])
        }
    }

    /// The most of an unread body that is read and dropped to keep the connection.
    static let drainLimit = 64 << 10

    /// Whether the request's body is declared to be at most ``drainLimit`` bytes (a `Content-Length`, or none
    /// and no `Transfer-Encoding`).
    private static func isSmall(_ head: HTTPRequestHead) -> Bool {
        if let length = head.headers.first(name: "Content-Length").flatMap({ Int($0) }) { return length <= Self.drainLimit }
        return !head.headers.contains(name: "Transfer-Encoding")
    }

    /// Reads and drops the rest of the current request's body; whether it ended within ``drainLimit`` bytes.
    private static func drain(_ parts: ProxyInboundParts) async throws -> Bool {
        var read = 0
        while let chunk = try await parts.nextBodyChunk() {
            read += chunk.readableBytes
            if read > Self.drainLimit { return false }
        }
        return true
    }

    private func write(_ reply: ProxyReply, for request: HTTPRequestHead, keepAlive: Bool) async throws {
        let channel = self.channel.channel
        var head: HTTPResponseHead
        switch reply {
        case .local(let answer):
            head = HTTPResponseHead(version: request.version, status: .init(statusCode: Int(answer.status.code)))
            head.headers = HTTPHeaders(answer.fields)
            // The proxy's own answers carry its clock's Date (a cached one keeps the upstream's).
            if !head.headers.contains(name: "Date") {
                head.headers.add(name: "Date", value: HTTPDate.format(secondsSince1970: self.pipeline.clock.now() / 1_000_000_000))
            }
            Self.connection(&head, keepAlive: keepAlive, request: request)
            channel.write(HTTPServerResponsePart.head(head), promise: nil)
            if answer.body.readableBytes > 0, request.method != .HEAD {
                channel.write(HTTPServerResponsePart.body(.byteBuffer(answer.body)), promise: nil)
            }
            try await Self.end(channel, keepAlive: keepAlive)
        case .upstream(let status, let headers, let body, let tee):
            head = HTTPResponseHead(version: request.version, status: .init(statusCode: status))
            head.headers = headers
            Self.connection(&head, keepAlive: keepAlive, request: request)
            channel.write(HTTPServerResponsePart.head(head), promise: nil)
            var complete = false
            defer { tee?.finish(complete: complete) }
            if let chunks = body.whole {
                // All here: head, body and end leave in one write.
                for chunk in chunks {
                    tee?.append(chunk)
                    channel.write(HTTPServerResponsePart.body(.byteBuffer(chunk)), promise: nil)
                }
            } else {
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
            }
            complete = true
            try await Self.end(channel, keepAlive: keepAlive)
        }
        if !keepAlive { try? await channel.close() }
    }

    /// Writes and flushes the answer's end. While the client keeps up and the connection stays open, the end is not
    /// waited for (it leaves before anything of the next answer; a failed write closes the connection, and the next
    /// read ends); before a close, or when the client is behind, it is.
    private static func end(_ channel: any Channel, keepAlive: Bool) async throws {
        if keepAlive, channel.isWritable {
            channel.writeAndFlush(HTTPServerResponsePart.end(nil), promise: nil)
        } else {
            try await channel.writeAndFlush(HTTPServerResponsePart.end(nil)).get()
        }
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
