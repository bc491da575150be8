import CoreMetrics
import Logging
import Primitives
import Synchronization
import TokenManager

/// The token manager's ``RefreshCoordinator`` for a fleet: one lock, one fenced and sealed token state
/// per provider in a shared ``CoordinationStore``.
///
/// A round goes:
/// 1. Read the state; if it is newer than what the session knows and still good, adopt it.
/// 2. Try the lock (which increments the fence). Held by another: in the advisory window skip (retry
///    soon); in the mandatory window wait for the holder's result, woken by a notification or a poll,
///    up to ``Options/wait``, then adopt it, or take the lock if the holder's lease ran out.
/// 3. Under the lock, read the state again and stop (adopt) if another process refreshed meanwhile;
///    otherwise let the session refresh with the fleet's newest refresh token, renewing the lease every
///    third of it while the identity provider is slow.
/// 4. Write back with compare-and-set (the generation read under the lock, and the fence), publish,
///    release with compare-and-delete. A refused write means the lease was lost to a later grant: a lost
///    race (``TokenEvent/Kind/coordinationLockLost``), not an error.
///
/// Any store error, or a state sealed under another key, answers ``CoordinationOutcome/unavailable``:
/// the session refreshes in process, `coordination_down` is said once and `oauth_coordination_up` is
/// 0, until a later round works again (`coordination_up`, gauge 1).
public final class FleetCoordinator: RefreshCoordinator {
    /// How the coordinator behaves; the defaults follow `docs/configuration.md`.
    public struct Options: Sendable {
        /// This process's id in the fleet (the lock's value, `refreshed_by`).
        public var instanceID: String
        /// This machine's name, shown with the lock holder.
        public var host: String
        /// The key prefix before each provider's hash tag.
        public var keyPrefix: String
        /// How long a lock grant lasts without renewal; renewed every third of it.
        public var lease: Duration
        /// How long a process in the mandatory window waits for another holder's result.
        public var wait: Duration
        /// How often a waiting process looks at the state when no notification comes.
        public var pollInterval: Duration
        /// When a process that skipped (advisory window, lock held) looks again.
        public var deferRetry: Duration

        public init(
            instanceID: String,
            host: String,
            keyPrefix: String = CoordinationKeys.defaultPrefix,
            lease: Duration = .seconds(10),
            wait: Duration = .seconds(15),
            pollInterval: Duration = .milliseconds(250),
            deferRetry: Duration = .milliseconds(500)
        ) {
            self.instanceID = instanceID
            self.host = host
            self.keyPrefix = keyPrefix
            self.lease = lease
            self.wait = wait
            self.pollInterval = pollInterval
            self.deferRetry = deferRetry
        }
    }

    let store: any CoordinationStore
    let sealer: StateSealer
    let options: Options
    let clock: WallClock
    let logger: Logger
    let metrics: CoordinationMetrics
    let health = CoordinationHealth()
    private let events = Mutex<(@Sendable (TokenEvent) -> Void)?>(nil)

    /// Creates a coordinator.
    ///
    /// - Parameters:
    ///   - store: The shared store (Redis, or ``InMemoryCoordinationStore``).
    ///   - sealer: Seals and opens the state; every process of the fleet needs the same key.
    ///   - options: Identity, key prefix, lease and waits.
    ///   - clock: Wall time and sleeping (lease renewal, waits); tests inject a test clock.
    ///   - metricsFactory: Where the `oauth_coordination_*` metrics go.
    ///   - logger: Logs at info and below, never with a secret.
    public init(
        store: any CoordinationStore,
        sealer: StateSealer,
        options: Options,
        clock: WallClock = .system,
        metricsFactory: (any MetricsFactory)? = nil,
        logger: Logger
    ) {
        self.store = store
        self.sealer = sealer
        self.options = options
        self.clock = clock
        self.logger = logger
        self.metrics = CoordinationMetrics(factory: metricsFactory ?? MetricsSystem.factory)
    }

    public func attach(events: @escaping @Sendable (TokenEvent) -> Void) {
        self.events.withLock { $0 = events }
    }

    public func lockHolder(provider: String) -> LockHolder? {
        self.health.holder(provider)
    }

    /// Asks the store who holds `provider`'s lock now, and remembers it for ``lockHolder(provider:)``: for
    /// a dashboard that shows the holder between rounds.
    ///
    /// - Returns: The holder; `nil` when nobody holds the lock or the store cannot be asked.
    @discardableResult
    public func observeLockHolder(provider: String) async -> LockHolder? {
        let holder = try? await self.store.holder(self.keys(provider))?.holder
        self.health.setHolder(holder, for: provider)
        return holder
    }

    func keys(_ provider: String) -> CoordinationKeys {
        CoordinationKeys(prefix: self.options.keyPrefix, provider: provider)
    }

    public func coordinate(
        _ request: CoordinationRequest,
        refresh: @Sendable (CoordinationLease) async -> LocalRefreshResult
    ) async -> CoordinationOutcome {
        // The round's store calls (read, lock, read, write, publish, release) run where the store answers
        // without a thread hop per call: for Redis, its client's event loop.
        guard let executor = self.store.preferredExecutor else {
            return await self.coordinateHere(request, refresh: refresh)
        }
        return await withTaskExecutorPreference(executor) { await self.coordinateHere(request, refresh: refresh) }
    }

    private func coordinateHere(
        _ request: CoordinationRequest,
        refresh: @Sendable (CoordinationLease) async -> LocalRefreshResult
    ) async -> CoordinationOutcome {
        let keys = self.keys(request.provider)
        let askedAt = self.clock.now()
        let decision: Decision
        do {
            decision = try await self.decide(request, keys: keys, askedAt: askedAt)
            self.up(request.provider)
        } catch {
            self.down(request.provider, error)
            return .unavailable
        }
        switch decision {
        case .adopt(let token, let reason):
            // A newer state means its writer is done with the lock.
            self.health.setHolder(nil, for: request.provider)
            if reason == .waited { self.recordWait(request.provider, since: askedAt) }
            self.metrics(request.provider).fleet.increment()
            return .adopt(token, reason)
        case .skip(let retryAt):
            return .skip(retryAt: retryAt)
        case .acquired(let fence, let owner):
            self.recordWait(request.provider, since: askedAt)
            return await self.holding(request, keys: keys, fence: fence, owner: owner, refresh: refresh)
        }
    }

    public func newerToken(than request: CoordinationRequest) async -> FleetToken? {
        do {
            let token = try await self.readToken(self.keys(request.provider), provider: request.provider)
            self.up(request.provider)
            guard let token, token.generation > request.knownGeneration, request.accepts(token) else { return nil }
            self.metrics(request.provider).fleet.increment()
            return token
        } catch {
            self.down(request.provider, error)
            return nil
        }
    }

    /// What to do before any refresh: the part of a round that may fail over to `.unavailable`.
    enum Decision {
        case adopt(FleetToken, AdoptReason)
        case skip(retryAt: Int64)
        case acquired(Fence, LockOwner)
    }

    private func decide(
        _ request: CoordinationRequest,
        keys: CoordinationKeys,
        askedAt: Int64
    ) async throws -> Decision {
        if let token = try await self.readToken(keys, provider: request.provider),
            token.generation > request.knownGeneration, request.accepts(token)
        {
            return .adopt(token, .newer)
        }
        let owner = self.owner()
        if let fence = try await self.store.acquire(keys, owner: owner, lease: self.options.lease) {
            return .acquired(fence, owner)
        }
        self.health.setHolder(try await self.store.holder(keys)?.holder, for: request.provider)
        if request.urgency == .advisory {
            return .skip(retryAt: self.clock.now() + self.options.deferRetry.nanoseconds)
        }
        return try await self.waitForHolder(request, keys: keys, askedAt: askedAt)
    }

    func owner() -> LockOwner {
        LockOwner(instanceID: self.options.instanceID, host: self.options.host, since: self.clock.now())
    }

    /// The state opened, or `nil` when there is none.
    func readToken(_ keys: CoordinationKeys, provider: String) async throws -> FleetToken? {
        guard let sealed = try await self.store.read(keys) else { return nil }
        return try self.sealer.open(sealed, provider: provider)
    }

    func recordWait(_ provider: String, since: Int64) {
        self.metrics(provider).lockWait.recordNanoseconds(max(0, self.clock.now() - since))
    }

    func emit(
        _ kind: TokenEvent.Kind,
        provider: String,
        severity: TokenEvent.Severity = .info,
        _ fields: [(key: String, value: TokenEvent.Value)]
    ) {
        let sink = self.events.withLock { $0 }
        let now = self.clock.now()
        sink?(TokenEvent(kind: kind, timestamp: now, provider: provider, severity: severity, fields: fields))
    }

    /// A call to the store worked: rejoin after an outage.
    func up(_ provider: String) {
        let (recovered, changed) = self.health.markUp(provider)
        if changed { self.metrics(provider).up.record(1) }
        guard recovered else { return }
        self.emit(.coordinationUp, provider: provider, [("store", .string(self.keys(provider).description))])
        self.logger.info("fleet coordination works again", metadata: ["provider": "\(provider)"])
    }

    /// A call failed: say so once, and refresh in process until a later call works.
    func down(_ provider: String, _ error: any Error) {
        let metrics = self.metrics(provider)
        guard self.health.markDown(provider) else { return }
        metrics.up.record(0)
        let reason = (error as? SealedStateError)?.reason ?? "store_unavailable"
        self.emit(.coordinationDown, provider: provider, severity: .warning, [
            ("reason", .string(reason)), ("error", .string("\(error)")),
        ])
        self.logger.info(
            "fleet coordination unavailable; refreshing in process",
            metadata: ["provider": "\(provider)", "reason": "\(reason)", "error": "\(error)"]
        )
    }
}
