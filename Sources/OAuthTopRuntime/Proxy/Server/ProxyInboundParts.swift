import NIOCore
import NIOHTTP1
import Synchronization

/// The request parts of one client connection, read in order by one reader at a time: the connection's loop
/// reads each head, and the request's body (``ProxyInboundBody``) reads that request's body parts up to its
/// `.end`.
///
/// `@unchecked Sendable`: the iterator is touched by one reader at a time. The connection's loop hands the
/// body to the pipeline and reads the next head only after the pipeline's answer was written. A body streamed
/// upstream (``handOff()``) is read by the upload, which may still run after the answer (an upstream may answer
/// early): the loop then never reads again and closes the connection after the answer.
final class ProxyInboundParts: @unchecked Sendable {
    private var iterator: NIOAsyncChannelInboundStream<HTTPServerRequestPart>.AsyncIterator
    /// Whether the current request's `.end` was read (or the connection ended), and whether its body was handed
    /// to an upload: read by the connection's loop while the upload may set the first.
    private let flags = Mutex((bodyEnded: true, handedOff: false))

    /// Whether the current request's `.end` was read (or the connection ended).
    var bodyEnded: Bool { self.flags.withLock { $0.bodyEnded } }
    /// Whether the current request's body went to an upload that reads it on its own.
    var handedOff: Bool { self.flags.withLock { $0.handedOff } }

    /// The body is read by an upload from now on.
    func handOff() { self.flags.withLock { $0.handedOff = true } }

    init(_ iterator: NIOAsyncChannelInboundStream<HTTPServerRequestPart>.AsyncIterator) {
        self.iterator = iterator
    }

    /// The next request's head; `nil` when the client closed the connection. Body parts left of the previous
    /// request must have been read (see ``bodyEnded``).
    func nextHead() async throws -> HTTPRequestHead? {
        while let part = try await self.iterator.next() {
            if case .head(let head) = part {
                self.flags.withLock { $0.bodyEnded = false }
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
        case .end, .none, .head:
            // (The decoder never sends a head before the previous request's end.)
            self.flags.withLock { $0.bodyEnded = true }
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
