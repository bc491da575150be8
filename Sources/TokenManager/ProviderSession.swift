import Logging
import Synchronization

/// Why a refresh round started.
public struct RefreshReason: Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// No token yet (start, or the store had none).
    public static let initial = RefreshReason(rawValue: "initial")
    /// The advisory window opened; callers keep the current token meanwhile.
    public static let advisory = RefreshReason(rawValue: "advisory")
    /// The mandatory window opened, or the token expired; callers wait.
    public static let mandatory = RefreshReason(rawValue: "mandatory")
    /// A background retry after a failed round.
    public static let retry = RefreshReason(rawValue: "retry")
    /// An operator or caller asked for it.
    public static let manual = RefreshReason(rawValue: "manual")
    /// A caller reported that the provider rejected the token.
    public static let rejected = RefreshReason(rawValue: "rejected")

    public var description: String { self.rawValue }
}

/// Everything the manager shares with its sessions.
struct SessionEnvironment: Sendable {
    var transport: any TokenEndpointTransport
    var clock: ManagerClock
    var random: RandomSource
    var events: TokenEventBus
    var logger: Logger
    /// Called after every successful round so the store is written.
    var persist: @Sendable () async -> Void
    /// Called after every successful round with the provider's name and the time, so a fallback
    /// in use ends.
    var refreshed: @Sendable (_ provider: String, _ at: Int64) -> Void = { _, _ in }
}

/// The mutable state of one provider, guarded by the session's mutex.
struct SessionState: Sendable {
    var token: CachedToken?
    var refreshToken: Secret?
    var inflight: RefreshFlight?
    var breaker: CircuitBreaker
    /// No round starts before this instant (a `Retry-After` that ended a round).
    var notBefore: Int64 = 0
    /// A final error (revoked grant, rejected client): no automatic retries until a manual refresh.
    var finalError: TokenRefreshError?
    var lastError: TokenRefreshError?
    /// When the background refresher retries after a failed round.
    var retryAt: Int64?
    var lastSuccessAt: Int64?
    /// Estimated provider clock minus local clock, in nanoseconds.
    var skew: Int64?
    var rounds = 0
    var failedRounds = 0
}

/// One provider's token: the hot path, single-flight refresh and the background refresher.
final class ProviderSession: Sendable {
    let configuration: ProviderConfiguration
    let metrics: ProviderMetrics
    let state: Mutex<SessionState>
    let environment: SessionEnvironment
    let wake = WakeSignal()
    /// This session's index into every thread's ``ThreadTokenCache``.
    private let slot = ThreadTokenCache.allocateSlot()
    /// Bumped, under the state lock, whenever `state.token` changes; thread caches compare it.
    private let generation = Atomic<UInt64>(0)

    init(configuration: ProviderConfiguration, metrics: ProviderMetrics, environment: SessionEnvironment) {
        self.configuration = configuration
        self.metrics = metrics
        self.environment = environment
        self.state = Mutex(
            SessionState(
                refreshToken: configuration.refreshToken,
                breaker: CircuitBreaker(policy: configuration.breaker, now: environment.clock.now())
            )
        )
    }

    private var clock: ManagerClock { self.environment.clock }
    private var name: String { self.configuration.name }

    // MARK: Hot path

    /// The current token if it is outside the mandatory window: no I/O, no lock, no allocation
    /// (but the first call on a thread for each new token, which copies it for that thread).
    @inline(__always)
    func cachedToken(now: Int64) -> AccessToken? {
        ThreadTokenCache.withCurrent { cache in
            let generation = self.generation.load(ordering: .acquiring)
            let slot = self.slot
            if slot < cache.entries.count, let entry = cache.entries[slot], entry.generation == generation,
                now < entry.mandatoryAt
            {
                return entry.token
            }
            return self.refillThreadCache(cache, now: now)
        }
    }

    /// Copies the current token into this thread's cache, if it is outside the mandatory window.
    private func refillThreadCache(_ cache: ThreadTokenCache, now: Int64) -> AccessToken? {
        let entry = self.state.withLock { state -> ThreadTokenCache.Entry? in
            guard let token = state.token, now < token.windows.mandatoryAt else { return nil }
            if !token.handedOut { state.token?.handedOut = true }
            var copy = token.access
            copy.value = Secret(token.access.value.revealed.withOwnStorage)
            return ThreadTokenCache.Entry(
                generation: self.generation.load(ordering: .relaxed), mandatoryAt: token.windows.mandatoryAt,
                token: copy
            )
        }
        guard let entry else { return nil }
        cache.store(entry, slot: self.slot)
        return entry.token
    }

    /// Replaces the token; call with the state lock held.
    private func setToken(_ token: CachedToken?, in state: inout SessionState) {
        state.token = token
        self.generation.add(1, ordering: .releasing)
    }

    // MARK: Slow path

    private enum Next {
        case token(AccessToken)
        case wait(RefreshFlight)
        case fail(TokenRefreshError)
    }

    /// Gets a token for a caller that found none usable: waits for a refresh round (joining one
    /// in flight) and returns its token, or its error.
    func token(now: Int64) async throws(TokenRefreshError) -> AccessToken {
        var expired = false
        let next = self.state.withLock { state -> Next in
            if let token = state.token, now < token.windows.mandatoryAt {
                if !token.handedOut { state.token?.handedOut = true }
                return .token(token.access)
            }
            if let token = state.token, now >= token.windows.expiresAt, token.handedOut, !token.expiryCounted {
                state.token?.expiryCounted = true
                expired = true
            }
            return self.startOrJoin(&state, now: now, reason: state.token == nil ? .initial : .mandatory, byCaller: true)
        }
        if expired { self.recordExpiredInUse(now: now) }
        switch next {
        case .token(let token):
            return token
        case .fail(let error):
            throw error
        case .wait(let flight):
            switch await flight.wait() {
            case .success(let token):
                // A round a caller started installs its token as handed out already.
                if !flight.startedByCaller { self.markHandedOut() }
                return token.access
            case .failure(let error):
                throw error
            }
        }
    }

    /// Starts a round now, or joins the one in flight, and waits for its outcome.
    ///
    /// A manual refresh also clears a final error (the operator may have fixed the credential)
    /// and lets a probe through an open breaker.
    ///
    /// - Parameters:
    ///   - reason: Why; `.manual` clears a final error and may probe an open breaker.
    ///   - countsAsConflict: Whether joining a round in flight counts as a refresh conflict
    ///     (the background refresher's own joins do not).
    func refresh(reason: RefreshReason, countsAsConflict: Bool = true) async throws(TokenRefreshError) -> AccessToken {
        let now = self.clock.now()
        let next = self.state.withLock { state -> Next in
            if reason == .manual { state.finalError = nil }
            return self.startOrJoin(&state, now: now, reason: reason, countsAsConflict: countsAsConflict)
        }
        switch next {
        case .token(let token): return token
        case .fail(let error): throw error
        case .wait(let flight):
            switch await flight.wait() {
            case .success(let token): return token.access
            case .failure(let error): throw error
            }
        }
    }

    private func markHandedOut() {
        self.state.withLock { state in
            if state.token?.handedOut == false { state.token?.handedOut = true }
        }
    }

    /// Decides, under the lock, whether to join a round, start one or fail at once.
    private func startOrJoin(
        _ state: inout SessionState,
        now: Int64,
        reason: RefreshReason,
        countsAsConflict: Bool = true,
        byCaller: Bool = false
    ) -> Next {
        if let inflight = state.inflight {
            if countsAsConflict { self.metrics.conflicts.increment() }
            return .wait(inflight)
        }
        if let finalError = state.finalError {
            return .fail(.revoked(provider: self.name, previous: finalError))
        }
        if state.breaker.state == .open && now < state.breaker.reopensAt && reason != .manual {
            return .fail(
                .breakerOpen(
                    provider: self.name,
                    retryInSeconds: Double(state.breaker.reopensAt - now) / 1e9,
                    lastError: state.lastError?.description
                )
            )
        }
        if state.notBefore > now + self.configuration.retry.maxRetryAfter.nanoseconds {
            return .fail(
                .rateLimited(
                    provider: self.name, state.lastError?.endpoints ?? [], notBefore: state.notBefore,
                    waitSeconds: Double(state.notBefore - now) / 1e9
                )
            )
        }
        let flight = RefreshFlight(startedByCaller: byCaller)
        state.inflight = flight
        // The round runs in its own task so that no caller's cancellation cancels it for the others.
        Task { flight.finish(await self.runRound(reason: reason, handedOut: byCaller)) }
        return .wait(flight)
    }

    // MARK: The round

    private func runRound(reason: RefreshReason, handedOut: Bool) async -> Result<CachedToken, TokenRefreshError> {
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
        if let refused {
            // Lost a race with the breaker opening: no request leaves the process.
            self.state.withLock { $0.inflight = nil }
            return .failure(refused)
        }
        if let transition { self.publish(transition, at: start) }
        self.emit(.refreshStarted, at: start, [("reason", .string(reason.rawValue))])
        do {
            try await self.clock.sleep(untilNanos: notBefore)
        } catch {
            return self.finish(.failure(.cancelled(provider: self.name)), startedAt: start)
        }
        let round = RefreshRound(
            configuration: self.configuration,
            refreshToken: refreshToken,
            transport: self.environment.transport,
            clock: self.clock,
            random: self.environment.random,
            metrics: self.metrics,
            events: self.environment.events,
            logger: self.environment.logger
        )
        do {
            let success = try await round.run()
            var token = self.cachedToken(from: success)
            token.handedOut = handedOut
            return self.finish(.success(token), startedAt: start, success: success)
        } catch {
            return self.finish(.failure(error), startedAt: start)
        }
    }

    /// Builds the cached token: expiry from `expires_in` and the JWT `exp` corrected for skew,
    /// whichever is earlier, and the refresh windows with jitter.
    private func cachedToken(from success: RoundSuccess) -> CachedToken {
        let response = success.response
        var skew: Int64?
        if let serverDate = success.serverDate {
            // `Date` has one-second resolution: compare it with the middle of the exchange,
            // counting the server's clock as half a second later than the truncated value.
            let midpoint = (success.sentAt + success.receivedAt) / 2
            skew = Int64((serverDate + 0.5) * 1e9) - midpoint
        }
        var expiresAt = Int64.max
        if let expiresIn = response.expiresIn {
            expiresAt = success.sentAt + expiresIn.nanoseconds
        }
        if let exp = response.jwtExpiry {
            let local = Int64(exp * 1e9) - (skew ?? 0)
            expiresAt = min(expiresAt, local)
        }
        if expiresAt == .max { expiresAt = success.receivedAt }
        let lifetime = response.expiresIn ?? .nanoseconds(max(0, expiresAt - success.sentAt))
        let windows = self.configuration.refresh.windows(
            obtainedAt: success.receivedAt, expiresAt: expiresAt, random: self.environment.random.unit()
        )
        self.state.withLock { $0.skew = skew }
        return CachedToken(
            access: AccessToken(value: response.accessToken, tokenType: response.tokenType, expiresAt: expiresAt),
            windows: windows,
            obtainedAt: success.receivedAt,
            lifetime: lifetime,
            endpoint: success.endpoint,
            scope: response.scope
        )
    }

    private func finish(
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
                state.retryAt = nil
                state.notBefore = 0
                state.lastSuccessAt = now
                transition = state.breaker.recordSuccess(now: now)
            }
            self.metrics.lifetime.record(token.lifetime.seconds)
            self.metrics.expiresIn.record(Double(token.windows.expiresAt - now) / 1e9)
            if let transition { self.publish(transition, at: now) }
            self.emit(.refreshSucceeded, at: now, [
                ("endpoint", .string(token.endpoint)),
                ("duration_ms", .double(RefreshRound.milliseconds(nanoseconds: now - startedAt))),
                ("expires_in_s", .double((Double(token.windows.expiresAt - now) / 1e8).rounded() / 10)),
                ("token_sha256", .string(token.access.value.fingerprint)),
                ("rotated_refresh_token", .bool(rotated)),
            ])
            self.environment.refreshed(self.name, now)
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
                } else if !error.isBreakerOpen && error.reason != "cancelled" {
                    transition = state.breaker.recordFailure(now: now)
                }
                if let notBefore = error.notBefore { state.notBefore = max(state.notBefore, notBefore) }
                state.retryAt = max(now + max(backoff, self.configuration.retry.baseDelay).nanoseconds, state.notBefore)
            }
            if error.reason != "cancelled" { self.metrics.failure(reason: error.reason) }
            if let transition { self.publish(transition, at: now) }
            self.emit(.refreshFailed, at: now, [
                ("reason", .string(error.reason)), ("final", .bool(error.isFinal)),
                ("error", .string(error.description)),
            ])
            self.environment.logger.info(
                "token refresh failed", metadata: ["provider": "\(self.name)", "error": "\(error)"]
            )
        }
        if case .success = result {
            // Persisting is best effort and must not delay the waiting callers' result.
            let persist = self.environment.persist
            Task { await persist() }
        }
        return result
    }

    // MARK: Background refresher

    private enum Plan {
        case refresh(RefreshReason)
        case sleep(until: Int64?)
    }

    /// Keeps the token fresh until cancelled: refreshes in the advisory window, retries failed
    /// rounds with backoff, waits out open breakers and `Retry-After`, and stops retrying after a
    /// final error until woken by a manual refresh.
    func runRefresher() async {
        while !Task.isCancelled {
            let now = self.clock.now()
            let plan = self.state.withLock { state -> Plan in
                if state.inflight != nil { return .refresh(.advisory) }
                if state.finalError != nil { return .sleep(until: nil) }
                if state.breaker.state == .open {
                    return now >= state.breaker.reopensAt ? .refresh(.retry) : .sleep(until: state.breaker.reopensAt)
                }
                if let retryAt = state.retryAt {
                    return now >= retryAt ? .refresh(.retry) : .sleep(until: retryAt)
                }
                // No token after a success means a caller reported it rejected.
                guard let token = state.token else { return .refresh(state.lastSuccessAt == nil ? .initial : .rejected) }
                if now >= token.windows.mandatoryAt { return .refresh(.mandatory) }
                if now >= token.windows.advisoryAt { return .refresh(.advisory) }
                return .sleep(until: token.windows.advisoryAt)
            }
            switch plan {
            case .refresh(let reason):
                _ = try? await self.refresh(reason: reason, countsAsConflict: false)
            case .sleep(let deadline):
                if let deadline {
                    await self.wake.sleep(untilNanos: deadline, clock: self.clock)
                } else {
                    await self.wake.wait()
                }
            }
        }
    }

    // MARK: Other operations

    /// Whether OAuth has no usable token now (none, or expired), and whether a round is in flight:
    /// what the fallback chain needs to know.
    func oauthStatus(now: Int64) -> (unusable: Bool, refreshing: Bool) {
        self.state.withLock { state in
            let unusable = state.token.map { now >= $0.windows.expiresAt } ?? true
            return (unusable, state.inflight != nil)
        }
    }

    /// Counts a handed-out token that expired before a new one was obtained.
    private func recordExpiredInUse(now: Int64) {
        self.metrics.expiredDuringTask.increment()
        self.emit(.tokenExpired, at: now, [])
    }

    /// A caller's request was rejected with this token (HTTP 401): drop it so the next call
    /// refreshes, counting it as expired during a task if its expiry had passed.
    func reportRejected(_ token: AccessToken) {
        let now = self.clock.now()
        let expiredInUse = self.state.withLock { state -> Bool in
            guard let current = state.token, current.access.value == token.value else { return false }
            let expired = now >= current.windows.expiresAt && !current.expiryCounted
            self.setToken(nil, in: &state)
            return expired
        }
        if expiredInUse { self.recordExpiredInUse(now: now) }
        self.wake.signal()
    }

    /// Installs a token restored from the store (if still valid) and the rotated refresh token.
    func restore(_ stored: StoredToken, now: Int64) -> Bool {
        self.state.withLock { state in
            if let refreshToken = stored.refreshToken,
                stored.refreshTokenSeed == nil || stored.refreshTokenSeed == self.configuration.refreshToken?.fingerprint
            {
                state.refreshToken = Secret(refreshToken)
            }
            guard stored.expiresAtNanos > now + self.configuration.refresh.minMandatory.nanoseconds else {
                return false
            }
            let restored = CachedToken(
                access: AccessToken(
                    value: Secret(stored.accessToken), tokenType: stored.tokenType, expiresAt: stored.expiresAtNanos
                ),
                windows: self.configuration.refresh.windows(
                    obtainedAt: stored.obtainedAtNanos, expiresAt: stored.expiresAtNanos,
                    random: self.environment.random.unit()
                ),
                obtainedAt: stored.obtainedAtNanos,
                lifetime: .nanoseconds(stored.lifetimeNanos),
                endpoint: stored.endpoint,
                scope: stored.scope
            )
            self.setToken(restored, in: &state)
            return true
        }
    }

    /// The token and refresh token to persist.
    func storedToken() -> StoredToken? {
        self.state.withLock { state in
            guard state.token != nil || state.refreshToken != nil else { return nil }
            return StoredToken(
                accessToken: state.token?.access.value.revealed ?? "",
                tokenType: state.token?.access.tokenType ?? "Bearer",
                expiresAtNanos: state.token?.windows.expiresAt ?? 0,
                obtainedAtNanos: state.token?.obtainedAt ?? 0,
                lifetimeNanos: state.token?.lifetime.nanoseconds ?? 0,
                endpoint: state.token?.endpoint ?? "",
                scope: state.token?.scope,
                refreshToken: state.refreshToken?.revealed,
                refreshTokenSeed: self.configuration.refreshToken?.fingerprint
            )
        }
    }

    /// Sets the gauges that change with time (expires-in, breaker state).
    func publishGauges(now: Int64) {
        let (expiresAt, breaker) = self.state.withLock { ($0.token?.windows.expiresAt, $0.breaker.state) }
        self.metrics.expiresIn.record(expiresAt.map { max(0, Double($0 - now) / 1e9) } ?? 0)
        self.metrics.breakerState.record(Double(breaker.gaugeValue))
    }

    private func publish(_ transition: BreakerTransition, at now: Int64) {
        self.metrics.breakerState.record(Double(transition.to.gaugeValue))
        self.emit(.breakerTransition, at: now, [
            ("from", .string(transition.from.rawValue)), ("to", .string(transition.to.rawValue)),
        ])
        self.environment.logger.info(
            "circuit breaker \(transition.to)",
            metadata: ["provider": "\(self.name)", "from": "\(transition.from)"]
        )
    }

    private func emit(_ kind: TokenEvent.Kind, at timestamp: Int64, _ fields: [(key: String, value: TokenEvent.Value)]) {
        self.environment.events.emit(TokenEvent(kind: kind, timestamp: timestamp, provider: self.name, fields: fields))
    }
}
