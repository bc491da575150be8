// One refresh round as the session runs it: admission through the breaker, the round, its outcome.

import Logging
import Primitives

extension ProviderSession {
    func runRound(reason: RefreshReason, handedOut: Bool) async -> Result<CachedToken, TokenRefreshError> {
        if let restored = await self.validatePendingRestore(handedOut: handedOut) { return restored }
        if let coordinator = self.environment.coordinator {
            return await self.runCoordinatedRound(coordinator, reason: reason, handedOut: handedOut)
        }
        return await self.runLocalRound(reason: reason, handedOut: handedOut)
    }

    /// What admission through the breaker decided.
    enum Admission {
        case admitted(start: Int64, notBefore: Int64, refreshToken: Secret?)
        case refused(TokenRefreshError)
    }

    /// A round in this process alone (or while the fleet cannot be consulted).
    ///
    /// - Parameter recheck: Asked after an `invalid_grant`, for a newer fleet token that explains it.
    func runLocalRound(
        reason: RefreshReason,
        handedOut: Bool,
        recheck: (@Sendable () async -> FleetToken?)? = nil
    ) async -> Result<CachedToken, TokenRefreshError> {
        let (start, notBefore, refreshToken): (Int64, Int64, Secret?)
        switch self.admit(reason: reason) {
        case .refused(let refused):
            // Lost a race with the breaker opening: no request leaves the process.
            self.state.withLock { $0.inflight = nil }
            return .failure(refused)
        case .admitted(let admittedAt, let gate, let token):
            (start, notBefore, refreshToken) = (admittedAt, gate, token)
        }
        do {
            try await self.clock.sleep(untilNanos: notBefore)
        } catch {
            return self.finish(.failure(.cancelled(provider: self.name)), startedAt: start)
        }
        do {
            let success = try await self.exchange(refreshToken: refreshToken)
            var token = self.cachedToken(from: success)
            token.handedOut = handedOut
            return self.finish(.success(token), startedAt: start, success: success)
        } catch {
            if error.isInvalidGrant,
                let recovered = await self.recoverRotation(
                    sent: refreshToken, recheck: recheck, handedOut: handedOut, startedAt: start
                )
            {
                return recovered
            }
            return self.finish(.failure(error), startedAt: start)
        }
    }

    /// Admits a round through the breaker (an operator's refresh is the probe of an open one), counts
    /// it and publishes `refresh_started`.
    func admit(reason: RefreshReason) -> Admission {
        let start = self.clock.now()
        var transition: BreakerTransition?
        var refused: TokenRefreshError?
        let (notBefore, refreshToken) = self.state.withLock { state -> (Int64, Secret?) in
            let admitted = state.breaker.admit(now: start)
            transition = admitted.transition
            if !admitted.allowed {
                if reason == .manual {
                    // An operator's refresh is the probe: the breaker goes half-open for it.
                    transition = state.breaker.forceHalfOpen(now: start)
                } else {
                    refused = .breakerOpen(
                        provider: self.name, retryInSeconds: Double(state.breaker.reopensAt - start) / 1e9,
                        lastError: state.lastError?.description
                    )
                }
            }
            if refused == nil { state.rounds += 1 }
            return (state.notBefore, state.refreshToken)
        }
        if let refused { return .refused(refused) }
        if let transition { self.publish(transition, at: start) }
        self.emit(.refreshStarted, at: start, [("reason", .string(reason.rawValue))])
        return .admitted(start: start, notBefore: notBefore, refreshToken: refreshToken)
    }

    /// One exchange with the identity provider (the endpoints in order, with retries).
    func exchange(refreshToken: Secret?) async throws(TokenRefreshError) -> RoundSuccess {
        let lostBefore = self.state.withLock { state in
            state.lostAnswer.flatMap { $0.refreshToken == refreshToken ? $0 : nil }
        }
        var round = RefreshRound(
            configuration: self.configuration,
            refreshToken: refreshToken,
            transport: self.environment.transport,
            clock: self.clock,
            random: self.environment.random,
            metrics: self.metrics,
            events: self.environment.events,
            logger: self.environment.logger,
            validator: self.validator
        )
        round.lostBefore = lostBefore
        round.onAnswerLost = { lost in self.state.withLock { $0.lostAnswer = lost } }
        // A response refused by validation may have rotated the refresh token: keep the new one even if the
        // round fails (a successful response's own refresh token replaces it in `finish`).
        defer { self.keepRotated(round.rotated) }
        return try await round.run()
    }

    func finish(
        _ result: Result<CachedToken, TokenRefreshError>,
        startedAt: Int64,
        success: RoundSuccess? = nil
    ) -> Result<CachedToken, TokenRefreshError> {
        let now = self.clock.now()
        var transition: BreakerTransition?
        switch result {
        case .success(let token):
            let rotated = success?.response.refreshToken != nil
            self.state.withLock { state in
                self.setToken(token, in: &state)
                if let newRefreshToken = success?.response.refreshToken { state.refreshToken = newRefreshToken }
                state.inflight = nil
                state.lastError = nil
                state.finalError = nil
                state.lostAnswer = nil
                state.retryAt = nil
                state.notBefore = 0
                state.lastSuccessAt = now
                transition = state.breaker.recordSuccess(now: now)
            }
            self.metrics.lifetime.record(token.lifetime.seconds)
            self.metrics.recordExpiry(expiresAt: token.windows.expiresAt, now: now)
            if let transition { self.publish(transition, at: now) }
            self.emit(.refreshSucceeded, at: now, [
                ("endpoint", .string(token.endpoint)),
                ("duration_ms", .double(RefreshRound.milliseconds(nanoseconds: now - startedAt))),
                ("expires_in_s", .double((Double(token.windows.expiresAt - now) / 1e8).rounded() / 10)),
                ("token_sha256", .string(token.access.value.fingerprint)),
                ("rotated_refresh_token", .bool(rotated)),
            ])
            self.environment.refreshed(self.name, now)
            self.emergency.leave(at: now, method: FallbackAttempt.oauthMethod)
            self.environment.logger.info(
                "token refreshed",
                metadata: [
                    "provider": "\(self.name)", "endpoint": "\(token.endpoint)",
                    "token": "\(token.access.value.fingerprint)",
                ]
            )
        case .failure(let error):
            let random = self.environment.random.unit()
            self.state.withLock { state in
                let backoff = self.configuration.retry.backoff(retry: state.breaker.consecutiveFailures + 1, random: random)
                state.inflight = nil
                state.lastError = error
                state.failedRounds += 1
                if error.isFinal {
                    state.finalError = error
                } else if error.code != .breakerOpen && error.code != .cancelled {
                    transition = state.breaker.recordFailure(now: now)
                }
                if let notBefore = error.notBefore { state.notBefore = max(state.notBefore, notBefore) }
                state.retryAt = max(now + max(backoff, self.configuration.retry.baseDelay).nanoseconds, state.notBefore)
            }
            // A round that ended on refused tokens was counted per token, with its check (`reportInvalid`).
            if error.code != .cancelled && error.reason != TokenRejection.reason { self.metrics.failure(reason: error.reason) }
            if let transition { self.publish(transition, at: now) }
            self.emit(.refreshFailed, at: now, [
                ("reason", .string(error.reason)), ("final", .bool(error.isFinal)),
                ("error", .string(error.description)),
            ])
            self.environment.logger.info(
                "token refresh failed", metadata: ["provider": "\(self.name)", "error": "\(error)"]
            )
            // Without a fallback chain OAuth is the only method: a failed round that leaves no usable token
            // is an emergency. With a chain, the chain decides when a caller cannot be served.
            if self.configuration.fallback.isEmpty, error.allowsFallback, self.oauthStatus(now: now).unusable {
                self.emergency.enter(tried: [.oauth(error)], error: error, at: now)
            }
        }
        if case .success = result {
            // Persisting is best effort and must not delay the waiting callers' result.
            let persist = self.environment.persist
            Task { await persist() }
        }
        return result
    }
}
