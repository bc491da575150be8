import Clocks
import Coordination
import OAuthTopTestKit
import Testing
import TokenManager

@Suite("A fleet sharing one store refreshes once per cycle")
struct FleetRefreshTests {
    @Test("one refresh per cycle: the others take the token from the fleet, at start and in every cycle")
    func oneRefreshPerCycle() async throws {
        let fleet = try Fleet(size: 3)
        // At start the first process refreshes; the others find a valid fleet token and adopt it.
        for member in fleet.members { #expect(try await member.token() == "a1") }
        #expect(fleet.idp.refreshes == 1)
        #expect(fleet.members[1].events.kinds(.tokenAdopted).first?["startup"] == .bool(true))
        for cycle in 2...5 {
            await fleet.clock.advance(by: .seconds(91))  // every token is in its mandatory window (last 10 s)
            let tokens = try await fleet.tokensTogether()
            #expect(Set(tokens) == ["a\(cycle)"], "cycle \(cycle)")
            #expect(fleet.idp.refreshes == cycle, "one request to the identity provider in cycle \(cycle)")
        }
        #expect(fleet.idp.invalidGrants == 0)
        #expect(fleet.members.map { $0.refreshes("local") }.reduce(0, +) == 5)
        #expect(fleet.members.map { $0.refreshes("fleet") }.reduce(0, +) == 10)
        #expect(fleet.members.map { $0.events.kinds(.tokenAdopted).count }.reduce(0, +) == 10)
        #expect(fleet.store.writes == 5)
        // Conflicts add up across processes: each process that found the lock held and waited counts one.
        let waited = fleet.members.flatMap { $0.events.kinds(.tokenAdopted) }
            .filter { $0["reason"] == .string("waited_for_holder") }
        #expect(fleet.members.map(\.conflicts).reduce(0, +) == Int64(waited.count))
        // The rotated refresh token is the fleet's: whoever refreshes next presents the newest one.
        #expect(fleet.members.allSatisfy { $0.events.kinds(.refreshFailed).isEmpty })
    }

    @Test("advisory window, lock held elsewhere: keep the token, no request, no error; adopt the holder's later")
    func advisorySkip() async throws {
        let fleet = try Fleet(size: 1)
        let member = fleet.members[0]
        #expect(try await member.token() == "a1")
        let holder = LockOwner(instanceID: "elsewhere", host: "other-host", since: fleet.wall.now())
        let fence = try #require(try await fleet.store.acquire(fleet.keys, owner: holder, lease: .seconds(600)))
        let service = Task { try await member.manager.run() }
        defer { service.cancel() }
        // advisory opens at 100 s - (30 s + 2.5 s jitter) = 67.5 s
        await fleet.clock.advance(by: .seconds(70))
        #expect(await eventually { !member.events.kinds(.refreshDeferred).isEmpty })
        #expect(fleet.idp.refreshes == 1)
        #expect(member.cached == "a1")
        #expect(member.conflicts >= 1)
        #expect(member.events.kinds(.refreshFailed).isEmpty)
        #expect(member.manager.snapshot().first?.lockHolder?.instanceID == "elsewhere")
        #expect(await member.coordinator.observeLockHolder(provider: "p")?.host == "other-host")
        // The holder writes its result (as another process) and releases; the next look adopts it.
        let owner = holder
        let sealed = try StateSealer(key: Fleet.key).seal(
            { var token = fleet.token("b2", refresh: "r9"); token.generation = 2; return token }(), provider: "p"
        )
        #expect(try await fleet.store.compareAndSet(fleet.keys, expectedGeneration: 1, fence: fence, state: sealed))
        #expect(try await fleet.store.release(fleet.keys, owner: owner))
        await fleet.clock.advance(by: .seconds(1))
        #expect(await eventually { member.cached == "b2" })
        #expect(fleet.idp.refreshes == 1)
        #expect(member.events.kinds(.tokenAdopted).last?["reason"] == .string("fleet_newer"))
    }

    @Test("mandatory window, lock held: wait for the holder's result, woken by its notification, then adopt")
    func mandatoryWait() async throws {
        let fleet = try Fleet(size: 2)
        let (holder, waiter) = (fleet.members[0], fleet.members[1])
        #expect(try await holder.token() == "a1")
        #expect(try await waiter.token() == "a1")
        let gate = Gate()
        fleet.idp.holdNext(gate)
        await fleet.clock.advance(by: .seconds(91))
        async let refreshed = holder.token()
        #expect(await eventually { fleet.store.grants == 2 })  // the holder has the lock, its request is held
        async let adopted = waiter.token()
        #expect(await eventually { fleet.store.subscriberCount(fleet.keys) == 1 })  // the waiter waits
        gate.open()
        #expect(try await refreshed == "a2")
        #expect(try await adopted == "a2")
        #expect(fleet.idp.refreshes == 2)
        #expect(waiter.events.kinds(.tokenAdopted).last?["reason"] == .string("waited_for_holder"))
        #expect(waiter.conflicts == 1)
        let lockWait = try waiter.metrics.expectTimer(OAuthMetricNames.coordinationLockWait, [("provider", "p")])
        #expect(lockWait.values.count >= 1)
    }

    @Test("a holder that dies never releases: its lease expires and the next process takes over")
    func holderDies() async throws {
        let fleet = try Fleet(size: 1)
        let member = fleet.members[0]
        let dead = LockOwner(instanceID: "dead", host: "gone", since: fleet.wall.now())
        #expect(try await fleet.store.acquire(fleet.keys, owner: dead, lease: .seconds(10)) != nil)
        async let token = member.token()  // no token at all: waits for the holder
        #expect(await eventually { fleet.store.subscriberCount(fleet.keys) == 1 })
        await fleet.clock.advance(by: .seconds(11))
        #expect(try await token == "a1")
        #expect(fleet.idp.refreshes == 1)
        #expect(fleet.store.writes == 1)
        #expect(member.refreshes("local") == 1)
    }

    @Test("invalid_grant right after another process rotated the refresh token: adopt, not revoked")
    func invalidGrantAfterRotation() async throws {
        let fleet = try Fleet(size: 2)
        let (slow, fast) = (fleet.members[0], fleet.members[1])
        #expect(try await slow.token() == "a1")
        #expect(try await fast.token() == "a1")
        let gate = Gate()
        fleet.idp.holdNext(gate)
        await fleet.clock.advance(by: .seconds(91))
        async let slowToken = slow.token()  // takes the lock, sends r1, answer held
        #expect(await eventually { fleet.store.grants == 2 })
        fleet.store.expireLock(fleet.keys)  // the slow holder paused past its lease
        #expect(try await fast.token() == "a2")  // takes over, spends r1, publishes generation 2 with r2
        gate.open()  // the slow one's r1 is refused now
        #expect(try await slowToken == "a2")
        #expect(fleet.idp.invalidGrants == 1)
        let adopted = try #require(slow.events.kinds(.tokenAdopted).last)
        #expect(adopted["reason"] == .string("rotated_by_fleet"))
        #expect(slow.events.kinds(.refreshFailed).isEmpty)
        #expect(slow.manager.snapshot().first?.needsIntervention == false)
        // The next cycle works from the fleet's newest refresh token.
        await fleet.clock.advance(by: .seconds(91))
        #expect(try await slow.token() == "a3")
        #expect(fleet.idp.invalidGrants == 1)
    }

    @Test("an identity provider slower than the lease: the holder renews, the other waits; one refresh, no lost lock")
    func slowIdentityProvider() async throws {
        let fleet = try Fleet(size: 2)
        let (holder, waiter) = (fleet.members[0], fleet.members[1])
        #expect(try await holder.token() == "a1")
        #expect(try await waiter.token() == "a1")
        let gate = Gate()
        fleet.idp.holdNext(gate)
        await fleet.clock.advance(by: .seconds(91))
        async let refreshed = holder.token()
        #expect(await eventually { fleet.store.grants == 2 })
        async let adopted = waiter.token()
        #expect(await eventually { fleet.store.subscriberCount(fleet.keys) == 1 })
        // 12 s with the answer held: longer than the 10 s lease, shorter than the 15 s wait.
        for _ in 0..<24 { await fleet.clock.advance(by: .milliseconds(500)) }
        #expect(try await fleet.store.holder(fleet.keys)?.holder.instanceID == "process-1", "renewed, still held")
        gate.open()
        #expect(try await refreshed == "a2")
        #expect(try await adopted == "a2")
        #expect(fleet.idp.refreshes == 2)
        #expect(fleet.store.grants == 2)
        #expect(holder.events.kinds(.coordinationLockLost).isEmpty)
        #expect(waiter.events.kinds(.tokenAdopted).last?["reason"] == .string("waited_for_holder"))
    }
}
