import Coordination
import Foundation
import Logging
import NIOCore
import OAuthTopTestKit
import RedisClient
import Testing
import TokenManager

/// ``RedisCoordinationStore`` against Debian's real redis-server: the same semantics as the in-memory
/// store (``StoreSemanticsTests``), with leases on the server's clock.
@Suite("The coordination store's semantics (Redis)", .enabled(if: RedisServer.isInstalled, RedisServer.missingMessage))
struct RedisStoreTests {
    let keys = CoordinationKeys(prefix: "test:", provider: "p")

    func withStore(_ body: (RedisCoordinationStore, RedisClient, RedisServer) async throws -> Void) async throws {
        try await RedisServer.with { server in
            let client = try RedisClient(configuration: server.configuration, logger: Logger(label: "test"))
            do {
                try await body(RedisCoordinationStore(client: client), client, server)
            } catch {
                await client.shutdown()
                throw error
            }
            await client.shutdown()
        }
    }

    static func state(_ generation: UInt64, token: String = "t") throws -> SealedState {
        try StateSealer(key: [UInt8](repeating: 3, count: 32)).seal(
            FleetToken(
                accessToken: Secret(token), tokenType: "Bearer", expiresAt: 2, issuedAt: 1,
                refreshToken: Secret("refresh-\(token)"), generation: generation, refreshedBy: "x"
            ),
            provider: "p"
        )
    }

    @Test("lock: one holder, a fence on every grant, the lease expiring on the server, renew and release by owner only")
    func lock() async throws {
        try await self.withStore { store, client, _ in
            let a = LockOwner(instanceID: "a", host: "h", since: 1_000_000_000)
            let b = LockOwner(instanceID: "b", host: "h", since: 2_000_000_000)
            #expect(try await store.acquire(self.keys, owner: a, lease: .seconds(30)) == Fence(1))
            #expect(try await store.acquire(self.keys, owner: b, lease: .seconds(10)) == nil)
            #expect(try await store.holder(self.keys) == a)
            #expect(try await store.release(self.keys, owner: b) == false, "never another owner's lock")
            #expect(try await store.renew(self.keys, owner: a, fence: Fence(7), lease: .seconds(30)) == false, "a stale fence")
            // Renewal sets the lease: a short one here, so that it runs out on the server's clock.
            #expect(try await store.renew(self.keys, owner: a, fence: Fence(1), lease: .milliseconds(200)))
            try await Task.sleep(for: .milliseconds(500))
            #expect(try await store.holder(self.keys) == nil, "the lease ran out on the server")
            #expect(try await store.acquire(self.keys, owner: b, lease: .seconds(10)) == Fence(2))
            #expect(try await store.renew(self.keys, owner: a, fence: Fence(1), lease: .seconds(10)) == false)
            #expect(try await store.release(self.keys, owner: a) == false)
            #expect(try await store.release(self.keys, owner: b))
            #expect(try await store.holder(self.keys) == nil)
            // The scripts survive a SCRIPT FLUSH (a restart, a failover): EVALSHA loads them again.
            _ = try await client.send(["SCRIPT", "FLUSH"])
            #expect(try await store.acquire(self.keys, owner: a, lease: .seconds(1)) == Fence(3))
        }
    }

    @Test("compare-and-set: the expected generation (read from the sealed header) and the latest fence, both")
    func compareAndSet() async throws {
        try await self.withStore { store, _, _ in
            let owner = LockOwner(instanceID: "a", host: "h", since: 0)
            let fence = try #require(try await store.acquire(self.keys, owner: owner, lease: .milliseconds(300)))
            #expect(try await store.compareAndSet(self.keys, expectedGeneration: 1, fence: fence, state: try Self.state(2)) == false)
            #expect(try await store.compareAndSet(self.keys, expectedGeneration: 0, fence: fence, state: try Self.state(1)))
            #expect(try await store.compareAndSet(self.keys, expectedGeneration: 0, fence: fence, state: try Self.state(1)) == false)
            try await Task.sleep(for: .milliseconds(400))
            // Expired, but nobody else was granted: the fence is still the latest and the write goes through.
            #expect(try await store.compareAndSet(self.keys, expectedGeneration: 1, fence: fence, state: try Self.state(2)))
            _ = try await store.acquire(self.keys, owner: owner, lease: .seconds(10))
            #expect(try await store.compareAndSet(self.keys, expectedGeneration: 2, fence: fence, state: try Self.state(3)) == false)
            #expect(try await store.read(self.keys)?.generation == 2)
            // A generation past 2^32 is read from the header and compared exactly by the script.
            let other = LockOwner(instanceID: "c", host: "h", since: 0)
            _ = try await store.release(self.keys, owner: owner)
            let latest = try #require(try await store.acquire(self.keys, owner: other, lease: .seconds(10)))
            let big: UInt64 = 1 << 40
            #expect(try await store.compareAndSet(self.keys, expectedGeneration: 2, fence: latest, state: try Self.state(big)))
            #expect(try await store.compareAndSet(self.keys, expectedGeneration: big - 1, fence: latest, state: try Self.state(big + 1)) == false)
            #expect(try await store.compareAndSet(self.keys, expectedGeneration: big, fence: latest, state: try Self.state(big + 1)))
            #expect(try await store.read(self.keys)?.generation == big + 1)
        }
    }

    @Test("a published generation reaches a subscriber; a value that is no sealed state is a clear error")
    func notifyAndRead() async throws {
        try await self.withStore { store, client, _ in
            let stream = store.notifications(self.keys)
            let received = Task { () -> UInt64? in
                for await generation in stream { return generation }
                return nil
            }
            // The subscription opens on its own connection: publish once the server counts it.
            var subscribed = false
            for _ in 0..<100 where !subscribed {
                let reply = try await client.send(["PUBSUB", "NUMSUB", .init(self.keys.channel)])
                if case .array(let values?) = reply, values.count == 2, values[1].int == 1 { subscribed = true }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(subscribed)
            try await store.publish(self.keys, generation: 42)
            #expect(await received.value == 42)
            _ = try await client.set(.init(self.keys.state), to: "not a state")
            await #expect(throws: SealedStateError.self) { try await store.read(self.keys) }
        }
    }

    @Test("Redis down: every operation throws CoordinationStoreError, and no password is in it")
    func down() async throws {
        try await RedisServer.with(RedisServer.Options(password: "redis-password-not-shown")) { server in
            let client = try RedisClient(configuration: server.configuration, logger: Logger(label: "test"))
            let store = RedisCoordinationStore(client: client)
            #expect(try await store.read(self.keys) == nil)
            server.stop()
            let error = await #expect(throws: CoordinationStoreError.self) { try await store.read(self.keys) }
            #expect(error?.isUnavailable == true)
            #expect(error.map { !"\($0)".contains("redis-password-not-shown") } == true)
            await client.shutdown()
        }
    }
}
