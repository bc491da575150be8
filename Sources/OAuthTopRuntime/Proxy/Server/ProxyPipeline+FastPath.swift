import NIOCore
import NIOHTTP1
import TokenManager

// The steps the event-loop fast path (``ProxyFastPathHandler``) takes without a task: a body-less request whose
// token is cached, whose upstream is not blocked and which finds an idle connection on its client's loop.

extension ProxyPipeline {
    /// How a body-less request prepared for forwarding goes on.
    enum FastStart {
        /// Sent on an idle connection of the client's loop: the response head's future (completed on that loop),
        /// the token it carries, and when it left.
        case sent(EventLoopFuture<UpstreamExchangeHandler.Head>, token: AccessToken, started: ContinuousClock.Instant)
        /// No cached token (a refresh to wait for) or one that cannot be sent (answered there), a rate-limit block, or no idle connection on this loop: the
        /// request is forwarded by ``forward(_:)`` in a task.
        case async
    }

    /// Sends `exchange` (a kept body, empty) if nothing has to be waited for; see ``FastStart``.
    func startOnLoop(_ exchange: Exchange) -> FastStart {
        guard let token = self.manager.cachedToken(for: self.provider),
            let tokenField = self.tokenField(token),
            self.block.blockedUntil(now: self.clock.now()) == nil,
            let connection = self.pool.idleConnection(on: exchange.eventLoop)
        else { return .async }
        let head = self.upstreamHead(exchange, body: exchange.body, tokenField: tokenField)
        let started = ContinuousClock.now
        return .sent(connection.start(head: head, body: exchange.body, pool: self.pool), token: token, started: started)
    }

    /// What a fast-path exchange's outcome leads to.
    enum FastOutcome {
        /// The client's answer.
        case reply(ProxyReply)
        /// An auth error or a rate limit: ``settle(_:response:token:)`` in a task.
        case settle(UpstreamResponse)
        /// A pooled connection the upstream had closed: forwarded again by ``forward(_:)`` in a task (on a new
        /// connection when no other idle one works).
        case again
    }

    /// The outcome of a fast-path exchange sent at `started`. Without `exchange` (the wire path forwards a request
    /// whose hooks are passive without making one) the response is passed on unobserved.
    func outcome(
        of result: Result<UpstreamExchangeHandler.Head, any Error>, started: ContinuousClock.Instant, exchange: Exchange?
    ) -> FastOutcome {
        switch result {
        case .success(let head):
            self.metrics.upstreamTimer.recordNanoseconds((ContinuousClock.now - started).nanoseconds)
            let response = UpstreamResponse(head)
            if self.needsSettling(response) { return .settle(response) }
            guard let exchange else { return .reply(response.reply(tee: nil)) }
            return .reply(self.observed(exchange, response))
        case .failure(UpstreamError.closed(beforeResponse: true)):
            // Every fast-path connection was pooled (reused): the request may go again, as `send` does.
            return .again
        case .failure(let error):
            return .reply(.local(self.failure(error)))
        }
    }
}
