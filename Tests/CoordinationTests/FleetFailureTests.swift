import Clocks
import Coordination
import Logging
import MetricsTestKit
import OAuthTopTestKit
import Testing
import TokenManager

@Suite("Fleet coordination when things go wrong")
struct FleetFailureTests {
    @Test("a holder whose lease expired cannot overwrite the newer state: the fence refuses it, a lost race")
    func fence() async throws {
        let fleet = try Fleet(size: 2)
        let (late, early) = (fleet.members[0].coordinator, fleet.members[1].coordinator)
        let events = EventRecorder()
        late.attach { events.record($0) }
        let request = CoordinationRequest(
            provider: "p", reason: .mandatory, urgency: .mandatory, knownGeneration: 0, hasNoToken: true,
            accepts: { _ in true }
        )
        let lateToken = fleet.token("late", refresh: "r-late")
        let earlyToken = fleet.token("early", refresh: "r-early")
        let outcome = await late.coordinate(request) { lease in
            #expect(lease.fence == 1)
            // Paused past the lease; meanwhile another process is granted the lock and writes.
            fleet.store.expireLock(fleet.keys)
            let other = await early.coordinate(request) { lease in
                #expect(lease.fence == 2)
                return .refreshed(earlyToken)
            }
            guard case .refreshed(published: true) = other else {
                Issue.record("the second holder should publish, got \(other)")
                return .failed(invalidGrant: false)
            }
            return .refreshed(lateToken)
        }
        guard case .refreshed(published: false) = outcome else {
            Issue.record("the late write must be refused, got \(outcome)")
            return
        }
        #expect(fleet.store.refusedWrites == 1)
        let stored = try StateSealer(key: Fleet.key).open(try #require(fleet.store.peek(fleet.keys)), provider: "p")
        #expect(stored.accessToken.revealed == "early")
        #expect(stored.generation == 1)
        #expect(stored.refreshedBy == "process-2")
        #expect(events.kinds(.coordinationLockLost).count == 1)
    }

    @Test("the store lost the state (a Redis restart): the next writer goes on from the generation it knew, others adopt")
    func stateLost() async throws {
        let fleet = try Fleet(size: 3)
        for member in fleet.members { #expect(try await member.token() == "a1") }
        await fleet.clock.advance(by: .seconds(91))
        #expect(Set(try await fleet.tokensTogether()) == ["a2"])
        fleet.store.overwriteState(fleet.keys, with: nil)
        await fleet.clock.advance(by: .seconds(91))
        // Before the fix the first writer stored generation 1, which the others (knowing 2) ignored: each of
        // them refreshed in turn until the count passed 2.
        #expect(Set(try await fleet.tokensTogether()) == ["a3"])
        #expect(fleet.idp.refreshes == 3)
        #expect(fleet.idp.invalidGrants == 0)
        let stored = try StateSealer(key: Fleet.key).open(try #require(fleet.store.peek(fleet.keys)), provider: "p")
        #expect(stored.generation == 3)
    }

    @Test("store down: refresh in process, coordination_down once and the gauge at 0; rejoin when it is back")
    func storeDown() async throws {
        let fleet = try Fleet(size: 1)
        let member = fleet.members[0]
        fleet.store.isAvailable = false
        #expect(try await member.token() == "a1")
        await fleet.clock.advance(by: .seconds(91))
        #expect(try await member.token() == "a2")
        #expect(fleet.idp.refreshes == 2)
        #expect(member.events.kinds(.coordinationDown).count == 1)
        #expect(member.events.kinds(.coordinationDown).first?["reason"] == .string("store_unavailable"))
        #expect(try member.up() == 0)
        fleet.store.isAvailable = true
        await fleet.clock.advance(by: .seconds(91))
        #expect(try await member.token() == "a3")
        #expect(member.events.kinds(.coordinationUp).count == 1)
        #expect(try member.up() == 1)
        #expect(fleet.store.writes == 1)
        #expect(member.refreshes("local") == 1)
    }

    @Test("the fleet state sealed with another key: a clear error, once, and the process refreshes alone")
    func wrongKey() async throws {
        let transport = ScriptedTransport([.token("own-1", expiresIn: 100), .token("own-2", expiresIn: 100)])
        let fleet = try Fleet(size: 2, keys: [Fleet.key, Fleet.otherKey], transport: nil)
        let stranger = try fleet.member(5, key: Fleet.otherKey, transport: transport)
        #expect(try await fleet.members[0].token() == "a1")
        #expect(try await stranger.token() == "own-1")
        let down = try #require(stranger.events.kinds(.coordinationDown).first)
        #expect(down["reason"] == .string("wrong_key"))
        guard case .string(let message)? = down["error"] else {
            Issue.record("no error text")
            return
        }
        #expect(message.contains("sealed with another key"))
        await fleet.clock.advance(by: .seconds(91))
        #expect(try await stranger.token() == "own-2")
        #expect(stranger.events.kinds(.coordinationDown).count == 1)
        // It never overwrote the fleet's state.
        let stored = try StateSealer(key: Fleet.key).open(try #require(fleet.store.peek(fleet.keys)), provider: "p")
        #expect(stored.accessToken.revealed == "a1")
    }

    @Test("an altered fleet state: coordination down with the reason, the process refreshes alone, no trap")
    func alteredState() async throws {
        let transport = ScriptedTransport([.token("own-1", expiresIn: 100)])
        let fleet = try Fleet(size: 0)
        let member = try fleet.member(0, key: Fleet.key, transport: transport)
        var bytes = try StateSealer(key: Fleet.key).seal(fleet.token("x", refresh: "y"), provider: "p").bytes
        bytes[bytes.count - 20] ^= 0xFF
        fleet.store.overwriteState(fleet.keys, with: try SealedState(bytes: bytes))
        #expect(try await member.token() == "own-1")
        let down = try #require(member.events.kinds(.coordinationDown).first)
        #expect(down["reason"] == .string("authentication_failed"))
    }

    @Test("without a coordinator nothing is consulted and no coordination series appear")
    func noCoordinator() async throws {
        let metrics = TestMetrics()
        let manager = OAuthTokenManager(
            providers: [Fleet.provider()], transport: ScriptedTransport([.token("t1", expiresIn: 100)]),
            clock: WallClock(ImmediateClock()), random: .fixed(0.5), metricsFactory: metrics, logger: Logger(label: "t")
        )
        #expect(try await manager.token(for: "p").value.revealed == "t1")
        #expect(throws: (any Error).self) {
            try metrics.expectGauge(OAuthMetricNames.coordinationUp, [("provider", "p")])
        }
        #expect(manager.snapshot().first?.lockHolder == nil)
    }
}
