import CoreMetrics
import Logging
import ServiceLifecycle
import Synchronization

/// Keeps access tokens of one or more providers valid, and records every step.
///
/// `token(for:)` is the call long-running work makes before each request. While the token is
/// outside its mandatory window it is returned from memory with no I/O and no allocation. In the
/// mandatory window (or with no token) the caller waits for a refresh round; concurrent callers
/// share one round (single-flight), and every join counts as a refresh conflict.
///
/// As a `Service`, ``run()`` runs one background refresher per provider, which renews tokens in
/// their advisory window so callers rarely wait; on graceful shutdown the store is written.
///
/// A provider with a fallback chain (``ProviderConfiguration/fallback``) gets a fallback
/// credential instead of an error when a refresh failed and its token has expired (or is gone):
/// see ``FallbackCredential``. Meanwhile the refresher keeps probing OAuth on the breaker's
/// schedule, and the first real token ends the fallback.
///
/// ```swift
/// let manager = OAuthTokenManager(providers: [github], store: FileTokenStore(path: path), logger: logger)
/// let group = ServiceGroup(services: [manager], logger: logger)
/// // elsewhere:
/// let token = try await manager.token(for: "github")
/// request.headers.add(name: "Authorization", value: token.authorizationHeader)
/// ```
public final class OAuthTokenManager: Service, Sendable {
    private let sessions: [ProviderSession]
    /// The fallback chain of each session, by the same index; `nil` for none.
    private let fallbacks: [FallbackChain?]
    private let index: [String: ProviderID]
    private let clock: WallClock
    private let store: FileTokenStore?
    private let events: TokenEventBus
    private let transport: any TokenEndpointTransport
    private let ownsTransport: Bool
    private let logger: Logger
    private let persistLock = Mutex(())
    /// Whether ``restore()`` ran, so that ``run()`` does not restore a second time over tokens
    /// obtained since (a caller that needs tokens before the service starts restores first).
    private let restored = Atomic<Bool>(false)

    /// Creates a manager.
    ///
    /// - Parameters:
    ///   - providers: The providers, with unique names.
    ///   - transport: How requests are sent; by default AsyncHTTPClient, owned and shut down by the manager.
    ///   - clock: Wall time and sleeping; tests inject a test clock.
    ///   - random: Jitter source; tests inject a fixed or seeded one.
    ///   - store: Where tokens persist across restarts; `nil` keeps them in memory only.
    ///   - metricsFactory: Where metrics go; by default the bootstrapped swift-metrics factory.
    ///   - coordinator: Coordinates refreshes with other processes sharing these credentials (a fleet);
    ///     `nil` (the default) refreshes in process only. See ``RefreshCoordinator``.
    ///   - logger: Logs at info and below, never with a secret.
    public init(
        providers: [ProviderConfiguration],
        transport: (any TokenEndpointTransport)? = nil,
        clock: WallClock = .system,
        random: RandomSource = .system,
        store: FileTokenStore? = nil,
        metricsFactory: (any MetricsFactory)? = nil,
        coordinator: (any RefreshCoordinator)? = nil,
        logger: Logger
    ) {
        let factory = metricsFactory ?? MetricsSystem.factory
        let ownTransport = transport ?? HTTPClientTransport()
        self.transport = ownTransport
        self.ownsTransport = transport == nil
        self.clock = clock
        self.store = store
        self.logger = logger
        let events = TokenEventBus()
        self.events = events
        var sessions: [ProviderSession] = []
        var index: [String: ProviderID] = [:]
        let persist = PersistHook()
        let chains = ChainsHook()
        var storedToken: (@Sendable (String) -> StoredToken?)?
        if let store {
            storedToken = { provider in store.read()[provider] }
        }
        let environment = SessionEnvironment(
            transport: self.transport, clock: clock, random: random, events: events, logger: logger,
            persist: { await persist.call() },
            refreshed: { provider, at in chains.recovered(provider, at: at) },
            coordinator: coordinator,
            storedToken: storedToken
        )
        coordinator?.attach(events: { [events] event in events.emit(event) })
        for configuration in providers where index[configuration.name] == nil {
            index[configuration.name] = ProviderID(name: configuration.name, index: sessions.count)
            sessions.append(
                ProviderSession(
                    configuration: configuration,
                    metrics: ProviderMetrics(
                        provider: configuration.name, endpoints: configuration.tokenEndpoints, factory: factory
                    ),
                    environment: environment
                )
            )
        }
        let fallbacks = sessions.map { session -> FallbackChain? in
            guard !session.configuration.fallback.isEmpty else { return nil }
            return FallbackChain(
                environment: FallbackEnvironment(
                    provider: session.configuration, transport: ownTransport, clock: clock, random: random,
                    events: events, logger: logger
                ),
                factory: factory, emergency: session.emergency
            )
        }
        self.sessions = sessions
        self.fallbacks = fallbacks
        self.index = index
        chains.set(Dictionary(uniqueKeysWithValues: zip(sessions.map(\.name), fallbacks).compactMap { name, chain in
            chain.map { (name, $0) }
        }))
        persist.set { [weak self] in self?.persist() }
    }

    /// The configured providers, in configuration order.
    public var providers: [ProviderID] { self.sessions.indices.map { ProviderID(name: self.sessions[$0].configuration.name, index: $0) } }

    /// Resolves a provider name once, for the cheapest ``token(for:)-(ProviderID)`` calls.
    public func provider(named name: String) -> ProviderID? { self.index[name] }

    /// Receives every ``TokenEvent``, synchronously; the subscriber must not block.
    public func subscribe(_ subscriber: @escaping @Sendable (TokenEvent) -> Void) {
        self.events.subscribe(subscriber)
    }

    /// Hands `event` to the subscribers beside the manager's own events: for what the program around the
    /// manager does to its providers (the demo approving its emergency key), so the event stream and the
    /// dashboard show it in order.
    public func publish(_ event: TokenEvent) {
        self.events.emit(event)
    }

    // MARK: Tokens

    /// A valid access token for `provider`.
    ///
    /// - Throws: ``TokenRefreshError`` when the token is in its mandatory window or gone and no
    ///   refresh succeeded: it names every endpoint tried and why, or says the breaker is open.
    @inlinable
    nonisolated(nonsending)
    public func token(for provider: ProviderID) async throws(TokenRefreshError) -> AccessToken {
        let now = self.now()
        if let token = self.threadCached(provider, now: now) { return token }
        return try await self.slowToken(provider, now: now)
    }

    /// The cached token of `provider` if it is outside its mandatory window, without waiting or
    /// I/O; `nil` when a caller would have to wait for a refresh. For synchronous callers (and the
    /// benchmark of the hot path on plain threads); async callers use ``token(for:)-(ProviderID)``.
    public func cachedToken(for provider: ProviderID) -> AccessToken? {
        self.cached(provider, now: self.now())
    }

    /// A valid access token for the provider named `name`.
    public func token(for name: String) async throws(TokenRefreshError) -> AccessToken {
        guard let provider = self.index[name] else {
            throw .unknownProvider(name, known: self.sessions.map(\.configuration.name))
        }
        return try await self.token(for: provider)
    }

    @usableFromInline
    func now() -> Int64 { self.clock.coarseNow() }

    @usableFromInline
    func cached(_ provider: ProviderID, now: Int64) -> AccessToken? {
        self.sessions.withUnsafeBufferPointer { sessions in
            Unmanaged.passUnretained(sessions[provider.index])._withUnsafeGuaranteedRef { $0.cachedToken(now: now) }
        }
    }

    /// The hot path of `token(for:)`: this thread's copy only; a miss goes to the slow path, which refills it.
    @usableFromInline
    func threadCached(_ provider: ProviderID, now: Int64) -> AccessToken? {
        self.sessions.withUnsafeBufferPointer { sessions in
            Unmanaged.passUnretained(sessions[provider.index])._withUnsafeGuaranteedRef { $0.threadCachedToken(now: now) }
        }
    }

    @usableFromInline
    func slowToken(_ provider: ProviderID, now: Int64) async throws(TokenRefreshError) -> AccessToken {
        let session = self.sessions[provider.index]
        guard let chain = self.fallbacks[provider.index] else { return try await session.token(now: now) }
        return try await self.tokenOrFallback(session, chain, now: now)
    }

    /// `slowToken` for a provider with a fallback chain, in a function of its own so that the common
    /// path's async frame stays small (a bigger frame costs every waiting caller an allocation).
    @inline(never)
    private func tokenOrFallback(
        _ session: ProviderSession,
        _ chain: FallbackChain,
        now: Int64
    ) async throws(TokenRefreshError) -> AccessToken {
        let epoch = chain.epoch
        if chain.isEngaged {
            // On fallback, a caller does not wait for the probe in flight: it keeps the fallback
            // until the probe succeeds (which ends the outage for everyone).
            let status = session.oauthStatus(now: self.clock.now())
            if status.unusable, status.refreshing {
                let error = TokenRefreshError.refreshInFlight(provider: session.configuration.name)
                return try await self.fallback(session, chain, after: error, epoch: epoch)
            }
        }
        do {
            let token = try await session.token(now: now)
            chain.recovered(at: self.clock.now())
            return token
        } catch {
            guard error.allowsFallback, session.oauthStatus(now: self.clock.now()).unusable else { throw error }
            return try await self.fallback(session, chain, after: error, epoch: epoch)
        }
    }

    /// Hands out a fallback credential of `chain`; an alternate provider is asked for its OAuth
    /// token only, never for its own fallback, so chains cannot loop.
    ///
    /// When OAuth recovered while the chain was consulted, the caller gets the new OAuth token.
    private func fallback(
        _ session: ProviderSession,
        _ chain: FallbackChain,
        after error: TokenRefreshError,
        epoch: UInt64
    ) async throws(TokenRefreshError) -> AccessToken {
        let clock = self.clock
        let token = try await chain.handOut(oauthError: error, epoch: epoch, now: { clock.now() }) {
            name throws(TokenRefreshError) in
            guard let alternate = self.index[name], name != chain.provider else {
                throw .unknownProvider(name, known: self.sessions.map(\.configuration.name))
            }
            let now = self.clock.now()
            if let token = self.cached(alternate, now: now) { return token }
            return try await self.sessions[alternate.index].token(now: now)
        }
        if let token { return token }
        return try await session.token(now: self.clock.now())
    }

    /// Refreshes now (a manual refresh), or joins a refresh in flight, and returns the new token.
    ///
    /// A manual refresh also clears a final error such as a revoked grant, and acts as the probe
    /// of an open breaker.
    public func refresh(_ provider: ProviderID) async throws(TokenRefreshError) -> AccessToken {
        try await self.sessions[provider.index].refresh(reason: .manual)
    }

    /// Tells the manager that the provider rejected `token` (HTTP 401 from an API): it is
    /// dropped so the next ``token(for:)-(ProviderID)`` refreshes.
    public func reportRejected(_ token: AccessToken, for provider: ProviderID) {
        self.sessions[provider.index].reportRejected(token)
    }

    /// What was tried, OAuth first, when `error` (thrown by ``token(for:)-(ProviderID)``) means that no
    /// method gives `provider` a token (emergency mode): the error's own list, or, for a provider without a
    /// fallback chain (OAuth its only method), its emergency status. Empty for any other failure. The token
    /// socket and the API proxy answer with it; nothing in it is a secret.
    public func attemptsInEmergency(after error: TokenRefreshError, for provider: ProviderID) -> [FallbackAttempt] {
        if error.isEmergency { return error.tried }
        return self.sessions[provider.index].emergency.status?.tried ?? []
    }

    // MARK: State

    /// A point-in-time view of every provider, for dashboards and status commands.
    public func snapshot() -> [ProviderSnapshot] {
        let now = self.clock.now()
        return self.sessions.indices.map { index in
            var snapshot = ProviderSnapshot(session: self.sessions[index], now: now)
            snapshot.fallbackInUse = self.fallbacks[index]?.currentMethod
            snapshot.fallbackChain = self.fallbacks[index]?.entries.map(\.method) ?? []
            return snapshot
        }
    }

    /// Updates the gauges that move with time (`oauth_token_expires_in_seconds`, breaker state).
    /// Call it before each metrics sample.
    public func publishGauges() {
        let now = self.clock.now()
        for session in self.sessions { session.publishGauges(now: now) }
    }

    // MARK: Service

    /// Restores the store (unless ``restore()`` was called already), then runs one refresher per
    /// provider until cancelled or shut down gracefully; writes the store last.
    public func run() async throws {
        if !self.restored.load(ordering: .acquiring) { self.restore() }
        await withTaskGroup(of: Void.self) { group in
            for session in self.sessions {
                group.addTask { await session.runRefresher() }
            }
            group.addTask {
                // Wakes when graceful shutdown starts, then ends the refreshers.
                try? await gracefulShutdown()
            }
            await group.next()
            group.cancelAll()
        }
        self.persist()
        await self.shutdown()
        self.logger.info("token manager stopped", metadata: ["store": "\(self.store?.path ?? "none")"])
    }

    /// Ends fallback approval commands still running and releases the HTTP connections of the
    /// transport the manager created (not of one passed in).
    /// ``run()`` calls it on the way out; call it yourself when you use the manager without `run()`.
    public func shutdown() async {
        for chain in self.fallbacks { chain?.stop() }
        if self.ownsTransport { await self.transport.shutdown() }
    }

    /// Loads tokens from the store; called by ``run()``, or directly when not running as a service
    /// or when tokens are needed before the service starts (``run()`` then does not restore again).
    public func restore() {
        self.restored.store(true, ordering: .releasing)
        guard let store = self.store else { return }
        let now = self.clock.now()
        let loaded = store.load(now: now)
        if let problem = loaded.problem {
            self.logger.error(
                "token store unreadable; starting empty",
                metadata: ["path": "\(store.path)", "problem": "\(problem)", "moved_to": "\(loaded.setAside ?? "-")"]
            )
            self.events.emit(
                TokenEvent(kind: .storeCorrupt, timestamp: now, provider: "", fields: [
                    ("path", .string(store.path)), ("problem", .string(problem)),
                    ("moved_to", .string(loaded.setAside ?? "")),
                ])
            )
        }
        for session in self.sessions {
            guard let stored = loaded.tokens[session.configuration.name] else { continue }
            let valid = session.restore(stored, now: now)
            self.events.emit(
                TokenEvent(kind: .storeLoaded, timestamp: now, provider: session.configuration.name, fields: [
                    ("valid_token", .bool(valid)),
                    // Validated by the first round before it is handed out (docs/validation.md).
                    ("pending_validation", .bool(valid && session.validator != nil)),
                ])
            )
        }
    }

    /// Writes every provider's token to the store, if there is one.
    ///
    /// The store may be shared with other managers (the same file): their newer rotations and their other
    /// providers are kept (``FileTokenStore/merge(_:)``), so a manager never writes an older refresh token
    /// over the one another manager just obtained.
    public func persist() {
        guard let store = self.store else { return }
        self.persistLock.withLock { _ in
            var tokens: [String: StoredToken] = [:]
            for session in self.sessions {
                if let stored = session.storedToken() { tokens[session.configuration.name] = stored }
            }
            do {
                let kept = try store.merge(tokens)
                if !kept.isEmpty {
                    self.logger.info(
                        "token store holds newer rotations from another manager; kept",
                        metadata: ["providers": "\(kept.joined(separator: ","))"]
                    )
                }
            } catch {
                self.logger.error("token store not written", metadata: ["error": "\(error)"])
            }
        }
    }
}

/// Breaks the init-time cycle between sessions (which persist) and the manager (which owns them).
private final class PersistHook: Sendable {
    private let action = Mutex<(@Sendable () -> Void)?>(nil)
    func set(_ action: @escaping @Sendable () -> Void) { self.action.withLock { $0 = action } }
    func call() async { self.action.withLock { $0 }?() }
}

/// Breaks the init-time cycle between sessions (whose successes end an outage) and the fallback chains
/// (made after the sessions, as they share a session's emergency mode). Set once, before any round.
private final class ChainsHook: Sendable {
    private let chains = Mutex<[String: FallbackChain]>([:])
    func set(_ chains: [String: FallbackChain]) { self.chains.withLock { $0 = chains } }
    func recovered(_ provider: String, at: Int64) { self.chains.withLock { $0[provider] }?.recovered(at: at) }
}
