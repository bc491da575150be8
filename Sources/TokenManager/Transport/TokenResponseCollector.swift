import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import Synchronization

/// Collects one token endpoint response for ``HTTPClientTransport`` and remembers whether the request was
/// fully written before anything failed.
///
/// Why it exists: AsyncHTTPClient's async `execute` does not say whether a failed request had left the
/// process; its delegate API does (`didSendRequest`, called once the last byte's write succeeded). That is
/// what tells a lost answer (the provider may have rotated the refresh token) from a request never sent.
final class TokenResponseCollector: HTTPClientResponseDelegate {
    typealias Response = TokenEndpointResponse

    private struct State {
        var written = false
        var head: HTTPResponseHead?
        var body = ByteBuffer()
    }

    private let state = Mutex(State())
    private let maximumBodyBytes: Int

    init(maximumBodyBytes: Int) {
        self.maximumBodyBytes = maximumBodyBytes
    }

    /// Whether the whole request was written to the connection.
    var requestWritten: Bool { self.state.withLock { $0.written } }

    func didSendRequest(task: HTTPClient.Task<Response>) {
        self.state.withLock { $0.written = true }
    }

    func didReceiveHead(task: HTTPClient.Task<Response>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        self.state.withLock { $0.head = head }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<Response>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        let fits = self.state.withLock { state -> Bool in
            guard state.body.readableBytes + buffer.readableBytes <= self.maximumBodyBytes else { return false }
            var buffer = buffer
            state.body.writeBuffer(&buffer)
            return true
        }
        guard fits else {
            return task.eventLoop.makeFailedFuture(NIOTooManyBytesError(maxBytes: self.maximumBodyBytes))
        }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveError(task: HTTPClient.Task<Response>, _ error: any Error) {}

    func didFinishRequest(task: HTTPClient.Task<Response>) throws -> TokenEndpointResponse {
        try self.state.withLock { state in
            // A response cannot finish without a head; AsyncHTTPClient would not call this then.
            guard let head = state.head else { throw HTTPClientError.remoteConnectionClosed }
            return TokenEndpointResponse(
                status: Int(head.status.code),
                headers: head.headers.map { (name: $0.name, value: $0.value) },
                body: Array(buffer: state.body)
            )
        }
    }
}
