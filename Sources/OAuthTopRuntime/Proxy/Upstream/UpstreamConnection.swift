import NIOCore
import NIOHTTP1
import Synchronization

/// One connection to the upstream, leased from ``UpstreamPool`` for one exchange at a time.
final class UpstreamConnection: Sendable {
    let channel: any Channel
    /// Touched on the channel's event loop only.
    private let handler: NIOLoopBound<UpstreamExchangeHandler>
    private let wire: NIOLoopBound<UpstreamWireHandler>

    init(channel: any Channel, handler: UpstreamExchangeHandler, wire: UpstreamWireHandler) {
        self.channel = channel
        self.handler = NIOLoopBound(handler, eventLoop: channel.eventLoop)
        self.wire = NIOLoopBound(wire, eventLoop: channel.eventLoop)
        wire.exchange = handler
    }

    /// Sends `request`, a whole body-less request of `method` made as bytes by the wire path. Its response is read
    /// from the bytes when it can be, else by NIO's parser (always for `divertedStatuses`: the ones the pipeline
    /// settles). Call on the connection's loop.
    func startWire(
        _ request: ByteBuffer, method: HTTPMethod, divertedStatuses: Set<Int>, pool: UpstreamPool
    ) -> EventLoopFuture<UpstreamWireHandler.Outcome> {
        let eventLoop = self.channel.eventLoop
        let parsed = eventLoop.makePromise(of: UpstreamExchangeHandler.Head.self)
        let outcome = eventLoop.makePromise(of: UpstreamWireHandler.Outcome.self)
        parsed.futureResult.whenComplete { result in
            if case .failure(let error) = result, error is UpstreamExchangeHandler.AnsweredOnTheWire { return }
            outcome.succeed(.parsed(result))
        }
        self.prepare(self.handler.value, pool: pool)
        if self.handler.value.begin(parsed, requestCloses: false, bodyPending: false) {
            let expectation = UpstreamWireHandler.Expectation(
                promise: outcome, method: method, divertedStatuses: divertedStatuses
            )
            self.wire.value.send(request, method: method, expectation: expectation)
        }
        return outcome.futureResult
    }

    /// Lets the exchange handler give the connection back to `pool` when an exchange leaves it reusable.
    private func prepare(_ exchange: UpstreamExchangeHandler, pool: UpstreamPool) {
        if exchange.onReusable == nil {
            exchange.onReusable = { [weak pool] in
                guard let pool else { return }
                pool.release(self)
            }
        }
    }

    /// Sends `head` and `body` and waits for the response head; the body follows as the head's `body`.
    ///
    /// A kept body is written with the head at once; a streamed one is written as it arrives from the
    /// client, beside the response (an upstream may answer before it has read the whole request).
    ///
    /// - Parameter pool: Takes the connection back when the exchange leaves it reusable.
    func exchange(
        head: HTTPRequestHead, body: ProxyRequestBody, pool: UpstreamPool
    ) async throws -> UpstreamExchangeHandler.Head {
        let streamed: ProxyStreamedBody?
        if case .streamed(let stream, _) = body { streamed = stream } else { streamed = nil }
        let answered = self.start(head: head, body: body, pool: pool)
        // The upload runs beside the wait for the head: an upstream may answer before it has read the whole
        // request, and then the answer is returned at once while the upload goes on.
        var stopped: UploadFailure?
        if let streamed {
            let failure = UploadFailure()
            stopped = failure
            Task { await self.upload(streamed, stopped: failure) }
        }
        do {
            return try await answered.get()
        } catch {
            // A body past max_request_body cut the exchange off: that, not the closed connection, is why. (The
            // upload records it before it closes the connection, so it is known here without waiting for the
            // upload, which may wait on a slow client.)
            if let failure = stopped?.error, failure is ProxyRequestBody.TooLarge { throw failure }
            throw error
        }
    }

    /// Sends `head` (and a kept body, with the end) and returns the response head's future, completed on the
    /// connection's loop; a streamed body is the caller's to upload. Called on the loop, it writes at once (the
    /// proxy's event-loop fast path waits for the future without a task).
    func start(head: HTTPRequestHead, body: ProxyRequestBody, pool: UpstreamPool) -> EventLoopFuture<UpstreamExchangeHandler.Head> {
        let eventLoop = self.channel.eventLoop
        let promise = eventLoop.makePromise(of: UpstreamExchangeHandler.Head.self)
        var bodyPending = false
        if case .streamed = body { bodyPending = true }
        let start: @Sendable () -> Void = { [handler = self.handler, channel = self.channel, bodyPending] in
            let exchange = handler.value
            self.prepare(exchange, pool: pool)
            exchange.begin(promise, requestCloses: !head.isKeepAlive, bodyPending: bodyPending)
            channel.write(HTTPClientRequestPart.head(head), promise: nil)
            if case .kept(let bytes) = body {
                if bytes.readableBytes > 0 { channel.write(HTTPClientRequestPart.body(.byteBuffer(bytes)), promise: nil) }
                channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
            } else {
                channel.flush()
            }
        }
        if eventLoop.inEventLoop {
            start()
        } else {
            eventLoop.execute(start)
        }
        return promise.futureResult
    }

    /// Why a streamed upload stopped early, set before the connection is closed for it.
    private final class UploadFailure: Sendable {
        private let failure = Mutex<(any Error)?>(nil)
        var error: (any Error)? { self.failure.withLock { $0 } }
        func record(_ error: any Error) { self.failure.withLock { $0 = error } }
    }

    /// Writes a streamed request body, each chunk once the previous one was written (back-pressure); records
    /// in `stopped` why it stopped early, if it did (the connection is then closed).
    private func upload(_ body: ProxyStreamedBody, stopped: UploadFailure) async {
        let handler = self.handler
        var failure: (any Error)?
        do {
            for try await chunk in body {
                try await self.channel.writeAndFlush(HTTPClientRequestPart.body(.byteBuffer(chunk))).get()
            }
            try await self.channel.writeAndFlush(HTTPClientRequestPart.end(nil)).get()
        } catch {
            failure = error
        }
        if let failure { stopped.record(failure) }
        let success = failure == nil
        self.channel.eventLoop.execute { handler.value.requestFinished(success: success) }
    }
}
