import Logging
import NIOCore
import NIOHTTP1
import Primitives

/// One client connection of a proxy listener: its requests in order, each answered through the pipeline,
/// on the connection's event loop (the task prefers it as its executor), and written by ``ProxyReplyWriter``.
/// Requests the event-loop fast path (``ProxyFastPathHandler``) serves never reach it; it gets the connection
/// from the first request the fast path hands over.
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
        try await ProxyReplyWriter(clock: self.pipeline.clock).write(reply, for: request, keepAlive: keepAlive, to: self.channel.channel)
    }
}
