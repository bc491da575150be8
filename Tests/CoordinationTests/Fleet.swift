import Clocks
import Coordination
import Logging
import MetricsTestKit
import OAuthTopTestKit
import Synchronization
import TokenManager

/// Several managers sharing one in-memory store and one identity provider, as processes share Redis:
/// one test clock for all of them.
struct Fleet {
    struct Member {
        let manager: OAuthTokenManager
        let coordinator: FleetCoordinator
        let metrics: TestMetrics
        let events: EventRecorder
        let id: ProviderID

        func token() async throws -> String { try await self.manager.token(for: self.id).value.revealed }
        var cached: String? { self.manager.cachedToken(for: self.id)?.value.revealed }
        func counter(_ label: String, _ dimensions: [(String, String)] = [("provider", "p")]) -> Int64 {
            self.metrics.counterTotal(label: label, dimensions: dimensions)
        }
        var conflicts: Int64 { self.counter(OAuthMetricNames.refreshConflicts) }
        func refreshes(_ source: String) -> Int64 {
            self.counter(OAuthMetricNames.coordinationRefreshes, [("provider", "p"), ("source", source)])
        }
        func up() throws -> Double? {
            try self.metrics.expectGauge(OAuthMetricNames.coordinationUp, [("provider", "p")]).lastValue
        }
    }

    static let key = [UInt8](repeating: 7, count: 32)
    static let otherKey = [UInt8](repeating: 9, count: 32)

    let clock = TestClock()
    let wall: WallClock
    let store: InMemoryCoordinationStore
    let idp: RotatingIdentityProvider
    let keys = CoordinationKeys(provider: "p")
    var members: [Member] = []

    init(size: Int, keys: [[UInt8]]? = nil, transport: (any TokenEndpointTransport)? = nil) throws {
        self.wall = WallClock(self.clock, wallOriginNanos: 1_700_000_000_000_000_000)
        self.store = InMemoryCoordinationStore(clock: self.wall)
        self.idp = RotatingIdentityProvider()
        for index in 0..<size {
            try self.members.append(self.member(index, key: keys?[index] ?? Self.key, transport: transport))
        }
    }

    static func provider() -> ProviderConfiguration {
        ProviderConfiguration(
            name: "p", grant: .refreshToken, tokenEndpoints: ["http://idp.test/token"], clientID: "client",
            clientSecret: Secret("client-secret-123"), refreshToken: Secret("r0"),
            retry: RetryPolicy(maxAttempts: 1, baseDelay: .milliseconds(100), maxDelay: .seconds(1))
        )
    }

    func member(_ index: Int, key: [UInt8], transport: (any TokenEndpointTransport)? = nil) throws -> Member {
        let metrics = TestMetrics()
        let events = EventRecorder()
        let coordinator = FleetCoordinator(
            store: self.store, sealer: try StateSealer(key: key),
            options: FleetCoordinator.Options(instanceID: "process-\(index + 1)", host: "host-\(index + 1)"),
            clock: self.wall, metricsFactory: metrics, logger: Logger(label: "test")
        )
        let manager = OAuthTokenManager(
            providers: [Self.provider()], transport: transport ?? self.idp, clock: self.wall, random: .fixed(0.5),
            metricsFactory: metrics, coordinator: coordinator, logger: Logger(label: "test")
        )
        manager.subscribe { events.record($0) }
        guard let id = manager.provider(named: "p") else { throw FleetError() }
        return Member(manager: manager, coordinator: coordinator, metrics: metrics, events: events, id: id)
    }

    /// Every member's token, asked for at the same time.
    func tokensTogether() async throws -> [String] {
        try await withThrowingTaskGroup(of: String.self) { group in
            for member in self.members { group.addTask { try await member.token() } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }

    /// Writes a state as another process of the fleet would: lock, compare-and-set, publish, release.
    func writeAsAnotherProcess(_ token: FleetToken, key: [UInt8] = Fleet.key) async throws {
        let owner = LockOwner(instanceID: "elsewhere", host: "other-host", since: self.wall.now())
        guard let fence = try await self.store.acquire(self.keys, owner: owner, lease: .seconds(10)) else {
            throw FleetError()
        }
        let expected = try await self.store.read(self.keys)?.generation ?? 0
        var token = token
        token.generation = expected + 1
        let sealed = try StateSealer(key: key).seal(token, provider: "p")
        let written = try await self.store.compareAndSet(
            self.keys, expectedGeneration: expected, fence: fence, state: sealed
        )
        guard written else { throw FleetError() }
        try await self.store.publish(self.keys, generation: token.generation)
        _ = try await self.store.release(self.keys, owner: owner)
    }

    /// A token issued now for 100 s.
    func token(_ value: String, refresh: String) -> FleetToken {
        let now = self.wall.now()
        return FleetToken(
            accessToken: Secret(value), tokenType: "Bearer", expiresAt: now + 100_000_000_000, issuedAt: now,
            refreshToken: Secret(refresh), generation: 0, refreshedBy: "elsewhere"
        )
    }
}

struct FleetError: Error {}
