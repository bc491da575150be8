import NIOCore

/// An upstream response's body as the exchange gets it: whole (the response ended within the read that brought
/// its head, or its `Content-Length` was small: ``UpstreamExchangeHandler/wholeLimit``), or a stream of chunks as the upstream sends them (server-sent events, large
/// bodies), with back-pressure on the connection's reads.
struct UpstreamBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    private enum Storage: Sendable {
        case whole([ByteBuffer])
        case streamed(UpstreamExchangeHandler.Stream)
    }

    private let storage: Storage

    /// A body that is all here.
    init(whole chunks: [ByteBuffer]) {
        self.storage = .whole(chunks)
    }

    /// A body still coming.
    init(_ stream: UpstreamExchangeHandler.Stream) {
        self.storage = .streamed(stream)
    }

    /// The chunks, when the body is all here (it can be written without waiting).
    var whole: [ByteBuffer]? {
        if case .whole(let chunks) = self.storage { return chunks }
        return nil
    }

    func makeAsyncIterator() -> AsyncIterator {
        switch self.storage {
        case .whole(let chunks): AsyncIterator(inner: .whole(chunks.makeIterator()))
        case .streamed(let stream): AsyncIterator(inner: .streamed(stream.makeAsyncIterator()))
        }
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        fileprivate enum Inner {
            case whole(IndexingIterator<[ByteBuffer]>)
            case streamed(UpstreamExchangeHandler.Stream.AsyncIterator)
        }

        fileprivate var inner: Inner

        mutating func next() async throws -> ByteBuffer? {
            switch self.inner {
            case .whole(var chunks):
                let chunk = chunks.next()
                self.inner = .whole(chunks)
                return chunk
            case .streamed(let stream):
                return try await stream.next()
            }
        }
    }
}
