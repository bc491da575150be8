// A refresh round in a fleet: the coordinator decides whether this process refreshes under the fleet
// lock, takes the fleet's token, skips, or refreshes alone because the fleet cannot be consulted.

import Logging
import Primitives
import Synchronization

extension ProviderSession {
    /// What the round under the fleet lock left for the session to install after the lock is released.
    enum LeasedRound: Sendable {
        case refused(TokenRefreshError)
        case succeeded(CachedToken, RoundSuccess, startedAt: Int64, generation: UInt64, refreshToken: Secret?)
        case failed(TokenRefreshError, startedAt: Int64)
    }

    func runCoordinatedRound(
        _ coordinator: any RefreshCoordinator,
        reason: RefreshReason,
        handedOut: Bool
    ) async -> Result<CachedToken, TokenRefreshError> {
        let now = self.clock.now()
        let (notBefore, request) = self.state.withLock { state in
            (state.notBefore, self.coordinationRequest(state, reason: reason, now: now))
        }
        // A `Retry-After` is waited out before the fleet lock is taken, not while holding it.
        do {
            try await self.clock.sleep(untilNanos: notBefore)
        } catch {
            return self.finish(.failure(.cancelled(provider: self.name)), startedAt: now)
        }
        let leased = Mutex<LeasedRound?>(nil)
        let outcome = await coordinator.coordinate(request) { lease in
            let round = await self.runLeasedRound(lease, reason: reason, handedOut: handedOut)
            leased.withLock { $0 = round }
            switch round {
            case .succeeded(let token, _, _, let generation, let refreshToken):
                return .refreshed(self.fleetToken(token, generation: generation, refreshToken: refreshToken, by: lease))
            case .failed(let error, _):
                return .failed(invalidGrant: error.isInvalidGrant)
            case .refused:
                return .failed(invalidGrant: false)
            }
        }
        if case .adopt(let token, let why) = outcome {
            if why == .waited { self.metrics.conflicts.increment() }
            guard await self.fleetTokenIsValid(token) else {
                // The fleet's token was refused (reported): this process refreshes for itself.
                return await self.runLocalRound(reason: reason, handedOut: handedOut)
            }
            return self.adopt(token, reason: why, handedOut: handedOut)
        }
        // Once the round ran under the lock, its result stands whatever the fleet said afterwards: a
        // second round in process would spend the refresh token again.
        switch leased.withLock({ $0 }) {
        case .succeeded(let token, let success, let startedAt, let generation, let refreshToken)?:
            var published = false
            if case .refreshed(true) = outcome { published = true }
            self.state.withLock { state in
                if let refreshToken { state.refreshToken = refreshToken }
                if published { state.fleetGeneration = generation }
            }
            if !published {
                // Another process was granted the lock after this one's lease ran out (or the store failed):
                // this process keeps the token it obtained, which is valid, until a later round adopts.
                self.metrics.conflicts.increment()
            }
            return self.finish(.success(token), startedAt: startedAt, success: success)
        case .failed(let error, let startedAt)?:
            return self.finish(.failure(error), startedAt: startedAt)
        case .refused(let error)?:
            self.state.withLock { $0.inflight = nil }
            return .failure(error)
        case nil:
            break
        }
        if case .skip(let retryAt) = outcome {
            self.metrics.conflicts.increment()
            return self.skip(until: retryAt, handedOut: handedOut)
        }
        return await self.runLocalRound(reason: reason, handedOut: handedOut) {
            await coordinator.newerToken(than: request)
        }
    }

    /// The request for the coordinator, under the state lock.
    func coordinationRequest(_ state: SessionState, reason: RefreshReason, now: Int64) -> CoordinationRequest {
        let mandatory = reason == .manual || state.token.map { now >= $0.windows.mandatoryAt } ?? true
        let policy = self.configuration.refresh
        let clock = self.clock
        return CoordinationRequest(
            provider: self.name,
            reason: reason,
            urgency: mandatory ? .mandatory : .advisory,
            knownGeneration: state.fleetGeneration,
            hasNoToken: state.token == nil,
            accepts: { token in
                // The mandatory window does not depend on jitter.
                let windows = policy.windows(obtainedAt: token.issuedAt, expiresAt: token.expiresAt, random: 0)
                return clock.now() < windows.mandatoryAt
            }
        )
    }

    /// The round under the fleet lock: with the fleet's newest refresh token when it has one.
    func runLeasedRound(_ lease: CoordinationLease, reason: RefreshReason, handedOut: Bool) async -> LeasedRound {
        let start: Int64
        let ownRefreshToken: Secret?
        switch self.admit(reason: reason) {
        case .refused(let error):
            return .refused(error)
        case .admitted(let admittedAt, _, let token):
            (start, ownRefreshToken) = (admittedAt, token)
        }
        let refreshToken = lease.refreshToken ?? ownRefreshToken
        do {
            let success = try await self.exchange(refreshToken: refreshToken)
            var token = self.cachedToken(from: success)
            token.handedOut = handedOut
            return .succeeded(
                token, success, startedAt: start, generation: lease.nextGeneration,
                refreshToken: success.response.refreshToken ?? refreshToken
            )
        } catch {
            return .failed(error, startedAt: start)
        }
    }

    /// The shared form of a token this process obtained.
    func fleetToken(_ token: CachedToken, generation: UInt64, refreshToken: Secret?, by lease: CoordinationLease)
        -> FleetToken
    {
        FleetToken(
            accessToken: token.access.value, tokenType: token.access.tokenType, expiresAt: token.windows.expiresAt,
            issuedAt: token.obtainedAt, refreshToken: refreshToken, scope: token.scope, endpoint: token.endpoint,
            generation: generation, refreshedBy: lease.instanceID
        )
    }

    /// Installs a token taken from the fleet as if this process had refreshed it: no request to the
    /// identity provider, the rotated refresh token kept, the failure state cleared, `token_adopted`.
    func adopt(_ fleet: FleetToken, reason: AdoptReason, handedOut: Bool) -> Result<CachedToken, TokenRefreshError> {
        let now = self.clock.now()
        var token = CachedToken(
            access: AccessToken(value: fleet.accessToken, tokenType: fleet.tokenType, expiresAt: fleet.expiresAt),
            windows: self.configuration.refresh.windows(
                obtainedAt: fleet.issuedAt, expiresAt: fleet.expiresAt, random: self.environment.random.unit()
            ),
            obtainedAt: fleet.issuedAt,
            lifetime: .nanoseconds(max(0, fleet.expiresAt - fleet.issuedAt)),
            endpoint: fleet.endpoint ?? "fleet",
            scope: fleet.scope
        )
        token.handedOut = handedOut
        let startup = self.state.withLock { state -> Bool in
            let startup = state.token == nil && state.lastSuccessAt == nil
            self.setToken(token, in: &state)
            if let refreshToken = fleet.refreshToken { state.refreshToken = refreshToken }
            state.fleetGeneration = max(state.fleetGeneration, fleet.generation)
            state.inflight = nil
            state.lastError = nil
            state.finalError = nil
            state.lostAnswer = nil
            state.retryAt = nil
            state.notBefore = 0
            state.lastSuccessAt = now
            return startup
        }
        self.metrics.lifetime.record(token.lifetime.seconds)
        self.metrics.recordExpiry(expiresAt: token.windows.expiresAt, now: now)
        self.emit(.tokenAdopted, at: now, [
            ("reason", .string(reason.rawValue)), ("startup", .bool(startup)),
            ("generation", .int(Int64(clamping: fleet.generation))), ("refreshed_by", .string(fleet.refreshedBy)),
            ("expires_in_s", .double((Double(fleet.expiresAt - now) / 1e8).rounded() / 10)),
            ("token_sha256", .string(fleet.accessToken.fingerprint)),
        ])
        self.environment.refreshed(self.name, now)
        self.emergency.leave(at: now, method: FallbackAttempt.oauthMethod)
        self.environment.logger.info(
            "token taken from the fleet",
            metadata: [
                "provider": "\(self.name)", "generation": "\(fleet.generation)", "refreshed_by": "\(fleet.refreshedBy)",
                "token": "\(fleet.accessToken.fingerprint)",
            ]
        )
        let persist = self.environment.persist
        Task { await persist() }
        return .success(token)
    }

    /// Another process holds the fleet lock and this one need not wait: callers keep the current token
    /// (an error only if it has expired) and the refresher tries again at `retryAt`.
    func skip(until retryAt: Int64, handedOut: Bool) -> Result<CachedToken, TokenRefreshError> {
        let now = self.clock.now()
        let current = self.state.withLock { state -> CachedToken? in
            state.inflight = nil
            state.retryAt = retryAt
            guard let token = state.token, now < token.windows.expiresAt else { return nil }
            if handedOut { state.token?.handedOut = true }
            return state.token
        }
        self.emit(.refreshDeferred, at: now, [
            ("reason", .string("fleet_lock_held")),
            ("retry_in_s", .double((Double(max(0, retryAt - now)) / 1e8).rounded() / 10)),
        ])
        guard let current else { return .failure(.refreshInFlight(provider: self.name)) }
        return .success(current)
    }
}
