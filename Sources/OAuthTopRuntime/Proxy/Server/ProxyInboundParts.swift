import NIOCore
import NIOHTTP1

/// The request parts of one client connection, read in order by one reader at a time: the connection's loop
/// reads each head, and the request's body (``ProxyInboundBody``) reads that request's body parts up to its
/// `.end`.
///
/// `@unchecked Sendable`: the iterator is touched by one caller at a time. The connection's loop hands the
/// body to the pipeline and reads the next head only after the pipeline's answer was written; a streamed
/// body is read by the upload, which the exchange awaits before it returns.
final class ProxyInboundParts: @unchecked Sendable {
    private var iterator: NIOAsyncChannelInboundStream<HTTPServerRequestPart>.AsyncIterator
    /// Whether the current request's `.end` was read (or the connection ended).
    private(set) var bodyEnded = true

    init(_ iterator: NIOAsyncChannelInboundStream<HTTPServerRequestPart>.AsyncIterator) {
        self.iterator = iterator
    }

    /// The next request's head; `nil` when the client closed the connection. Body parts left of the previous
    /// request must have been read (see ``bodyEnded``).
    func nextHead() async throws -> HTTPRequestHead? {
        while let part = try await self.iterator.next() {
            if case .head(let head) = part {
                self.bodyEnded = false
                return head
            }
        }
        return nil
    }

    /// The current request's next body chunk; `nil` at its end.
    func nextBodyChunk() async throws -> ByteBuffer? {
        guard !self.bodyEnded else { return nil }
        switch try await self.iterator.next() {
        case .body(let bytes):
            return bytes
        case .end, .none:
            self.bodyEnded = true
            return nil
        case .head:
            // The decoder never sends a head before the previous request's end.
            self.bodyEnded = true
            return nil
        }
    }
}

/// One request's body, as an async sequence of chunks.
struct ProxyInboundBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    let parts: ProxyInboundParts

    func makeAsyncIterator() -> Iterator { Iterator(parts: self.parts) }

    struct Iterator: AsyncIteratorProtocol {
        let parts: ProxyInboundParts
        mutating func next() async throws -> ByteBuffer? { try await self.parts.nextBodyChunk() }
    }
}
