import Clocks
import Coordination
import Testing
import TokenManager

@Suite("The coordination store's semantics (in memory)")
struct StoreSemanticsTests {
    @Test("keys share one hash tag around the provider, after the prefix")
    func keys() {
        let keys = CoordinationKeys(prefix: "oauthtop:", provider: "github")
        #expect(keys.state == "oauthtop:{github}:state")
        #expect(keys.lock == "oauthtop:{github}:lock")
        #expect(keys.fence == "oauthtop:{github}:fence")
        #expect(keys.channel == "oauthtop:{github}:updates")
        #expect(CoordinationKeys(prefix: "team-a/", provider: "x").state == "team-a/{x}:state")
    }

    @Test("lock: one holder, fence on every grant, lease expiry on the clock, renew and release by owner only")
    func lock() async throws {
        let clock = TestClock()
        let wall = WallClock(clock, wallOriginNanos: 1_700_000_000_000_000_000)
        let store = InMemoryCoordinationStore(clock: wall)
        let keys = CoordinationKeys(provider: "p")
        let a = LockOwner(instanceID: "a", host: "h", since: wall.now())
        let b = LockOwner(instanceID: "b", host: "h", since: wall.now())
        #expect(try await store.acquire(keys, owner: a, lease: .seconds(10)) == Fence(1))
        #expect(try await store.acquire(keys, owner: b, lease: .seconds(10)) == nil)
        #expect(try await store.holder(keys) == a)
        #expect(try await store.release(keys, owner: b) == false, "never another owner's lock")
        await clock.advance(by: .seconds(6))
        #expect(try await store.renew(keys, owner: a, fence: Fence(1), lease: .seconds(10)))
        await clock.advance(by: .seconds(6))
        #expect(try await store.acquire(keys, owner: b, lease: .seconds(10)) == nil, "renewed: still held")
        await clock.advance(by: .seconds(5))
        #expect(try await store.acquire(keys, owner: b, lease: .seconds(10)) == Fence(2), "expired: granted")
        #expect(try await store.renew(keys, owner: a, fence: Fence(1), lease: .seconds(10)) == false)
        #expect(try await store.release(keys, owner: a) == false)
        #expect(try await store.release(keys, owner: b))
        #expect(try await store.holder(keys) == nil)
    }

    @Test("compare-and-set: the expected generation and the latest fence, both")
    func compareAndSet() async throws {
        let wall = WallClock(TestClock(), wallOriginNanos: 1_700_000_000_000_000_000)
        let store = InMemoryCoordinationStore(clock: wall)
        let keys = CoordinationKeys(provider: "p")
        let sealer = try StateSealer(key: [UInt8](repeating: 3, count: 32))
        func state(_ generation: UInt64) throws -> SealedState {
            try sealer.seal(
                FleetToken(
                    accessToken: Secret("t"), tokenType: "Bearer", expiresAt: 2, issuedAt: 1, refreshToken: nil,
                    generation: generation, refreshedBy: "x"
                ),
                provider: "p"
            )
        }
        let owner = LockOwner(instanceID: "a", host: "h", since: 0)
        let fence = try #require(try await store.acquire(keys, owner: owner, lease: .seconds(10)))
        #expect(try await store.compareAndSet(keys, expectedGeneration: 1, fence: fence, state: try state(2)) == false)
        #expect(try await store.compareAndSet(keys, expectedGeneration: 0, fence: fence, state: try state(1)))
        #expect(try await store.compareAndSet(keys, expectedGeneration: 0, fence: fence, state: try state(1)) == false)
        store.expireLock(keys)
        // Expired but nobody else granted: the fence is still the latest, the write goes through.
        #expect(try await store.compareAndSet(keys, expectedGeneration: 1, fence: fence, state: try state(2)))
        _ = try await store.acquire(keys, owner: owner, lease: .seconds(10))
        #expect(try await store.compareAndSet(keys, expectedGeneration: 2, fence: fence, state: try state(3)) == false)
        #expect(try await store.read(keys)?.generation == 2)
    }

    @Test("lock values are read back, and anything else is nobody known (never a crash)")
    func lockOwner() {
        let owner = LockOwner(instanceID: "web 1", host: "box", since: 1_700_000_000_123_456_789)
        #expect(owner.value == "web_1 box 1700000000123")
        #expect(LockOwner(value: owner.value) == owner)
        for text in ["", "a b", "a b c", "a b -1", "a b 99999999999999999999", "  1", "a b 1 d"] {
            #expect(LockOwner(value: text) == nil, "\(text)")
        }
    }
}
