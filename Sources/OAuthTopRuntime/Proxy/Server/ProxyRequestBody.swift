import NIOCore

/// A client's request body as the proxy forwards it: kept in memory when small enough to replay after an
/// auth error or a rate limit (up to `replay_body_limit`), otherwise streamed through as it arrives.
///
/// A body with a `Content-Length` within the limit is collected before it is sent; one with a larger length
/// streams at once; one of unknown length (chunked) is collected until it passes the limit, then what was
/// collected and the rest stream on. Streamed bodies are cut off past `max_request_body`.
enum ProxyRequestBody: Sendable {
    /// The whole body (possibly empty); the request can be sent again.
    case kept(ByteBuffer)
    /// Streamed; the request cannot be sent again.
    case streamed(ProxyStreamedBody, length: Int?)

    /// The body grew past `max_request_body`.
    struct TooLarge: Error {
        let limit: Int
    }

    /// Reads as much of `body` as the rules above say.
    ///
    /// - Throws: ``TooLarge`` when a body of unknown length passes `maxBody` while it is collected.
    static func read(_ body: ProxyInboundBody, contentLength: Int?, keepUpTo limit: Int, maxBody: Int) async throws -> ProxyRequestBody {
        if let contentLength {
            if contentLength == 0 { return .kept(ByteBuffer()) }
            if contentLength <= limit { return .kept(try await Self.collect(body, upTo: limit)) }
            body.parts.handOff()
            return .streamed(ProxyStreamedBody(prefix: [], rest: body.makeAsyncIterator(), limit: maxBody), length: contentLength)
        }
        var iterator = body.makeAsyncIterator()
        var collected = ByteBuffer()
        var chunks: [ByteBuffer] = []
        while let chunk = try await iterator.next() {
            chunks.append(chunk)
            if collected.readableBytes + chunk.readableBytes > limit {
                body.parts.handOff()
                return .streamed(ProxyStreamedBody(prefix: chunks, rest: iterator, limit: maxBody), length: nil)
            }
            var chunk = chunk
            collected.writeBuffer(&chunk)
        }
        return .kept(collected)
    }

    /// The whole body, at most `limit` bytes.
    private static func collect(_ body: ProxyInboundBody, upTo limit: Int) async throws -> ByteBuffer {
        var collected = ByteBuffer()
        for try await var chunk in body {
            guard collected.readableBytes + chunk.readableBytes <= limit else { throw TooLarge(limit: limit) }
            if collected.readableBytes == 0 {
                collected = chunk
            } else {
                collected.writeBuffer(&chunk)
            }
        }
        return collected
    }
}

/// The streamed part of a request body: the chunks read while deciding, then the rest of the client's
/// body, at most `limit` bytes in all.
struct ProxyStreamedBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    private let source: Source

    init(prefix: [ByteBuffer], rest: ProxyInboundBody.Iterator, limit: Int) {
        self.source = Source(prefix: prefix, rest: rest, limit: limit)
    }

    func makeAsyncIterator() -> Iterator { Iterator(source: self.source) }

    struct Iterator: AsyncIteratorProtocol {
        let source: Source
        mutating func next() async throws -> ByteBuffer? { try await self.source.next() }
    }

    /// The client's body iterator, partly consumed.
    ///
    /// `@unchecked Sendable`: the upstream connection's upload makes one iterator of a request body and calls
    /// `next()` on it one call at a time (a streamed body is never replayed, so no second iterator is made);
    /// the mutable state is only touched from those calls, never concurrently.
    final class Source: @unchecked Sendable {
        private var prefix: [ByteBuffer]
        private var rest: ProxyInboundBody.Iterator
        private let limit: Int
        private var sent = 0

        init(prefix: [ByteBuffer], rest: ProxyInboundBody.Iterator, limit: Int) {
            self.prefix = prefix
            self.rest = rest
            self.limit = limit
        }

        func next() async throws -> ByteBuffer? {
            let chunk: ByteBuffer?
            if !self.prefix.isEmpty {
                chunk = self.prefix.removeFirst()
            } else {
                chunk = try await self.rest.next()
            }
            guard let chunk else { return nil }
            self.sent += chunk.readableBytes
            if self.sent > self.limit { throw ProxyRequestBody.TooLarge(limit: self.limit) }
            return chunk
        }
    }
}
