import DemoIdentityProvider
import Foundation
import NIOCore
import OAuthTopTestKit
import RedisClient
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Real processes against real Redis: `oauthtop run --headless` daemons holding the same provider with the same
/// rotating refresh token, coordinating through Debian's `redis-server` (issue 11, "What it must show").
///
/// Tokens live 10 seconds. Daemons refresh when half of the lifetime is left (`advisory: 50%`, or 70% with a
/// slow identity provider), so a cycle lasts about 5 seconds; every token a daemon's socket answers is checked
/// against the moment it was asked for.
@Suite(
    "Fleet coordination through Redis", .tags(.slow, .realServer), .serialized,
    .enabled(if: RedisServer.isInstalled, RedisServer.missingMessage)
)
struct FleetCoordinationTests {
    static let provider = RedisFleet.providerName

    @Test(
        "8 daemons, rotation without reuse: one refresh per cycle, no expired token, conflicts add up, no token in Redis",
        .timeLimit(.minutes(3))
    )
    func eightDaemonsOneRefreshPerCycle() async throws {
        try await RedisServer.with { redis in
            try await InProcessIdentityProvider.with(
                tokenLifetime: .seconds(10), refreshTokenReuseInterval: .zero, recordsIssuedTokens: true
            ) { idp in
                try await TokenRequestLog.recording(idp.provider) { log in
                    // No jitter: the eight daemons hold the same token, so each cycle all eight want to refresh at
                    // once and all but one lose the race (with jitter a daemon could adopt the winner's token before
                    // its own timer fired, every cycle, and the run showed no conflict to count).
                    try await RedisFleet.with(count: 8, redis: redis, idp: idp, refresh: "{advisory: 50%, jitter: 0%}") {
                        fleet in
                        try await TokenSocketWatch.watching(fleet.daemons.map(\.socket), provider: Self.provider) {
                            watch in
                            // The first request plus ten refresh cycles.
                            try await log.waitFor(11, timeout: .seconds(100))
                            let requests = try await Self.settledCounts(fleet, idp: idp)
                            try Self.expectOneRefreshPerCycle(log, idp: idp, cycle: 4.5...5.6)
                            Self.expectNoExpiredToken(watch, daemons: fleet.daemons.count)
                            try Self.expectNoFailure(fleet)
                            try await Self.expectConflictsAddUp(fleet, requests: requests)
                            try await Self.expectNoTokenInClear(fleet, issued: idp.provider.issuedTokens())
                        }
                    }
                }
            }
        }
    }

    @Test(
        "a slow identity provider (3 s, longer than the 2 s lease): the holder renews its lease, one refresh per cycle",
        .timeLimit(.minutes(3))
    )
    func slowIdentityProvider() async throws {
        try await RedisServer.with { redis in
            try await InProcessIdentityProvider.with(
                tokenLifetime: .seconds(10), baseLatency: .seconds(3), refreshTokenReuseInterval: .zero
            ) { idp in
                try await TokenRequestLog.recording(idp.provider) { log in
                    try await RedisFleet.with(
                        count: 5, redis: redis, idp: idp, lease: "2s", refresh: "{advisory: 70%, jitter: 5%}"
                    ) { fleet in
                        try await TokenSocketWatch.watching(fleet.daemons.map(\.socket), provider: Self.provider) {
                            watch in
                            let client = try fleet.redisClient()
                            defer { Task { await client.shutdown() } }
                            // During one refresh: the lock of the request's start is still held, by the same
                            // owner, after its 2 s lease would have run out.
                            let before = log.count
                            try await log.waitFor(before + 1, timeout: .seconds(30))
                            try await Task.sleep(for: .milliseconds(300))
                            let early = try await Self.get(client, RedisFleet.lockKey)
                            try await Task.sleep(for: .milliseconds(2_200))
                            let late = try await Self.get(client, RedisFleet.lockKey)
                            #expect(early != nil, "the lock is held while the identity provider answers")
                            #expect(early == late, "the same grant holds the lock 2.5 s into a 2 s lease")

                            try await log.waitFor(7, timeout: .seconds(100))
                            let requests = try await Self.settledCounts(fleet, idp: idp)
                            try Self.expectOneRefreshPerCycle(log, idp: idp, cycle: 4.0...7.0)
                            Self.expectNoExpiredToken(watch, daemons: fleet.daemons.count)
                            try Self.expectNoFailure(fleet)
                            let lost = try fleet.events().flatMap { $0 }.filter { $0.event == "coordination_lock_lost" }
                            #expect(lost.isEmpty, "\(lost)")
                            try await Self.expectConflictsAddUp(fleet, requests: requests, exact: false)
                        }
                    }
                }
            }
        }
    }

    @Test(
        "kill -9 of the lock holder mid-refresh: its lease runs out, another daemon refreshes, no expired token",
        .timeLimit(.minutes(3))
    )
    func killTheLockHolder() async throws {
        try await RedisServer.with { redis in
            try await InProcessIdentityProvider.with(
                tokenLifetime: .seconds(10), baseLatency: .seconds(3), refreshTokenReuseInterval: .seconds(60)
            ) { idp in
                try await TokenRequestLog.recording(idp.provider) { log in
                    try await RedisFleet.with(
                        count: 5, redis: redis, idp: idp, lease: "2s", refresh: "{advisory: 70%, jitter: 5%}"
                    ) { fleet in
                        try await TokenSocketWatch.watching(fleet.daemons.map(\.socket), provider: Self.provider) {
                            watch in
                            let client = try fleet.redisClient()
                            defer { Task { await client.shutdown() } }
                            try await log.waitFor(2, timeout: .seconds(60))
                            let before = try await log.settle(quiet: .seconds(1))
                            try await log.waitFor(before + 1, timeout: .seconds(30))
                            let value = try #require(
                                try await Self.get(client, RedisFleet.lockKey), "nobody holds the lock mid-refresh")
                            let instance = String(value.split(separator: " ").first ?? "")
                            let victim = try #require(fleet.daemons.first { $0.instanceID == instance }, "\(value)")
                            kill(victim.process.pid, SIGKILL)
                            let killedAt = TokenSocketWatch.now()

                            // Another daemon takes over after the lease (2 s), and the fleet goes on: two more cycles.
                            try await log.waitFor(before + 4, timeout: .seconds(60))
                            _ = try await Self.settledCounts(
                                fleet, idp: idp, uncounted: { 1 }, excluding: [victim.index])
                            let arrivals = log.arrivals
                            let takeover = Double(arrivals[before + 1] - killedAt) / 1e9
                            #expect(takeover > 1.0 && takeover < 8, "the next refresh \(takeover) s after the kill")
                            #expect(idp.provider.statistics().total.invalidGrant == 0)
                            let survivors = fleet.daemons.filter { $0.index != victim.index }
                            #expect(survivors.allSatisfy { $0.process.isRunning })
                            Self.expectNoExpiredToken(watch, daemons: fleet.daemons.count, killed: victim.index)
                            try Self.expectNoFailure(fleet)
                        }
                    }
                }
            }
        }
    }

    @Test(
        "a Redis restart mid-run: coordination_down, refreshes in process, coordination_up, one refresh per cycle again",
        .timeLimit(.minutes(3))
    )
    func redisRestart() async throws {
        try await RedisServer.with { redis in
            try await InProcessIdentityProvider.with(
                tokenLifetime: .seconds(10), refreshTokenReuseInterval: .seconds(60), recordsIssuedTokens: true
            ) { idp in
                try await TokenRequestLog.recording(idp.provider) { log in
                    try await RedisFleet.with(count: 5, redis: redis, idp: idp) { fleet in
                        try await TokenSocketWatch.watching(fleet.daemons.map(\.socket), provider: Self.provider) {
                            watch in
                            try await log.waitFor(3, timeout: .seconds(60))
                            _ = try await Self.settledCounts(fleet, idp: idp)
                            redis.stop()
                            // Each daemon's next round finds Redis gone and refreshes alone.
                            try await Self.waitForEvent("coordination_down", in: fleet, timeout: .seconds(20))
                            let outage = try await log.settle(quiet: .seconds(1))
                            try await redis.start()
                            try await Self.waitForEvent("coordination_up", in: fleet, timeout: .seconds(30))
                            let rejoined = log.count
                            // Back to one refresh per cycle: two cycles in a row with one request each.
                            try await log.waitFor(rejoined + 4, timeout: .seconds(60))
                            // The refreshes done in process while Redis was down: succeeded, not published.
                            let inProcess: @Sendable () -> Int = {
                                fleet.daemons.map { daemon in
                                    let events = (try? daemon.process.events()) ?? []
                                    guard let down = events.firstIndex(where: { $0.event == "coordination_down" })
                                    else { return 0 }
                                    let up = events.firstIndex { $0.event == "coordination_up" } ?? events.endIndex
                                    return events[down..<up].filter { $0.event == "refresh_succeeded" }.count
                                }.reduce(0, +)
                            }
                            let requests = try await Self.settledCounts(fleet, idp: idp, uncounted: inProcess)
                            #expect(
                                inProcess() == fleet.daemons.count, "each daemon refreshed alone once in the outage")
                            // From the outage's last in-process refresh on, one request per cycle: the first writer
                            // after the restart goes on from the generation it knew, so the others adopt its token.
                            let gaps = log.gaps.dropFirst(outage - 1)
                            #expect(gaps.count >= 4 && gaps.allSatisfy { $0 > 3 }, "gaps since the outage: \(gaps)")
                            #expect(idp.provider.statistics().total.invalidGrant == 0)
                            Self.expectNoExpiredToken(watch, daemons: fleet.daemons.count)
                            try Self.expectNoFailure(fleet)
                            let events = try fleet.events()
                            for (index, daemon) in events.enumerated() {
                                let names = daemon.map(\.event)
                                let down = names.filter { $0 == "coordination_down" }.count
                                let up = names.filter { $0 == "coordination_up" }.count
                                #expect(down == 1 && up == 1, "daemon \(index): \(down) down, \(up) up")
                            }
                            #expect(requests - inProcess() >= 5, "cycles through the fleet: \(requests - inProcess())")
                            try await Self.expectNoTokenInClear(fleet, issued: idp.provider.issuedTokens())
                        }
                    }
                }
            }
        }
    }

    // MARK: - Checks

    /// Waits until every daemon has taken the last token the identity provider issued (its local and fleet
    /// refreshes add up to the identity provider's answers, less `uncounted` tokens that never reached the fleet:
    /// a killed holder's, or those refreshed in process while Redis was down) and returns the number of answers.
    static func settledCounts(
        _ fleet: RedisFleet,
        idp: InProcessIdentityProvider,
        uncounted: @escaping @Sendable () -> Int = { 0 },
        excluding: Set<Int> = []
    ) async throws -> Int {
        var totals: [Double] = []
        var issued = 0
        let settled = await eventually(timeout: .seconds(15), every: .milliseconds(200)) {
            issued = idp.provider.statistics().total.issued
            totals = []
            for daemon in fleet.daemons where !excluding.contains(daemon.index) {
                let local =
                    (try? await daemon.metric("oauth_coordination_refreshes_total", labels: "source=\"local\"")) ?? -1
                let adopted =
                    (try? await daemon.metric("oauth_coordination_refreshes_total", labels: "source=\"fleet\"")) ?? -1
                totals.append(local + adopted)
            }
            let expected = issued - uncounted()
            return totals.allSatisfy { Int($0) == expected } && issued == idp.provider.statistics().total.issued
        }
        #expect(
            settled,
            Comment(
                rawValue: "tokens taken per daemon \(totals), identity provider answers \(issued),"
                    + " not through the fleet \(uncounted()); events: \(Self.timeline(fleet))"
            )
        )
        return issued
    }

    static func expectOneRefreshPerCycle(
        _ log: TokenRequestLog,
        idp: InProcessIdentityProvider,
        cycle: ClosedRange<Double>
    ) throws {
        let statistics = idp.provider.statistics().total
        #expect(statistics.invalidGrant == 0, "invalid_grant answers at the identity provider")
        // Every answer a token; at most one request still in flight (a slow identity provider).
        #expect(
            statistics.answered == statistics.issued && statistics.requests - statistics.issued <= 1, "\(statistics)")
        let gaps = log.gaps
        #expect(gaps.allSatisfy { $0 >= cycle.lowerBound - 1 }, "two refreshes in one cycle: gaps \(gaps)")
        let arrivals = log.arrivals
        let first = try #require(arrivals.first)
        let last = try #require(arrivals.last)
        let mean = Double(last - first) / 1e9 / Double(arrivals.count - 1)
        // The manager reads a coarse clock (a few milliseconds a tick): a refresh may come a tick early.
        let tolerated = (cycle.lowerBound - 0.05)...cycle.upperBound
        #expect(tolerated.contains(mean), "mean cycle \(mean) s over \(arrivals.count) requests; gaps \(gaps)")
    }

    /// No answer was an expired token; every daemon answered; errors are rare (a killed daemon's are left out).
    static func expectNoExpiredToken(_ watch: TokenSocketWatch, daemons: Int, killed: Int? = nil) {
        let answers = watch.all.filter { $0.token != nil || $0.daemon != killed }
        let expired = watch.expired()
        #expect(expired.isEmpty, "\(expired.count) expired answers, first asked at \(expired.first?.askedAt ?? 0)")
        for daemon in 0..<daemons {
            let tokens = answers.filter { $0.daemon == daemon && $0.token != nil }.count
            #expect(tokens >= 20, "daemon \(daemon) answered \(tokens) tokens")
        }
        let errors = answers.compactMap(\.error)
        #expect(errors.count <= answers.count / 20, "\(errors.count) errors of \(answers.count): \(errors.prefix(3))")
    }

    static func expectNoFailure(_ fleet: RedisFleet) throws {
        for (index, events) in try fleet.events().enumerated() {
            let failed = events.filter { $0.event == "refresh_failed" }
            #expect(failed.isEmpty, "daemon \(index): \(failed)")
        }
    }

    /// Local refreshes summed over the daemons are the identity provider's requests; every daemon took every
    /// other token from the fleet; each daemon's conflicts are its deferred rounds and the waits for a holder.
    /// With `exact`, a daemon's conflicts are exactly those rounds; otherwise at least (a socket caller that joins a
    /// round in flight in the daemon, as happens with a slow identity provider, counts too).
    static func expectConflictsAddUp(_ fleet: RedisFleet, requests: Int, exact: Bool = true) async throws {
        var local = 0.0
        var adopted = 0.0
        var conflicts = 0.0
        for daemon in fleet.daemons {
            let events = try daemon.process.events()
            let mine = try await daemon.metric("oauth_coordination_refreshes_total", labels: "source=\"local\"")
            let theirs = try await daemon.metric("oauth_coordination_refreshes_total", labels: "source=\"fleet\"")
            let lost = try await daemon.metric("oauth_refresh_conflicts_total")
            let succeeded = events.filter { $0.event == "refresh_succeeded" }.count
            let taken = events.filter { $0.event == "token_adopted" }.count
            let deferred = events.filter { $0.event == "refresh_deferred" }.count
            let waited = events.filter { $0.event == "token_adopted" && $0.string("reason") == "waited_for_holder" }
                .count
            #expect(Int(mine) == succeeded, "daemon \(daemon.index): local \(mine), refresh_succeeded \(succeeded)")
            #expect(Int(theirs) == taken, "daemon \(daemon.index): fleet \(theirs), token_adopted \(taken)")
            #expect(Int(mine + theirs) == requests, "daemon \(daemon.index) took \(mine + theirs) of \(requests)")
            #expect(
                exact ? Int(lost) == deferred + waited : Int(lost) >= deferred + waited,
                "daemon \(daemon.index): conflicts \(lost), deferred rounds \(deferred), waits \(waited)"
            )
            local += mine
            adopted += theirs
            conflicts += lost
        }
        let count = Double(fleet.daemons.count)
        #expect(local == Double(requests), "local refreshes \(local), identity provider requests \(requests)")
        #expect(adopted == Double(requests) * (count - 1), "fleet adoptions \(adopted)")
        #expect(conflicts > 0, "no lost race in \(requests) cycles of \(fleet.daemons.count) daemons")
    }

    /// Every key under the fleet's prefix, read with GET: none holds (as bytes) a token the provider issued.
    static func expectNoTokenInClear(_ fleet: RedisFleet, issued: [String]) async throws {
        #expect(issued.count > 10, "the identity provider recorded \(issued.count) tokens")
        let client = try fleet.redisClient()
        do {
            guard case .array(let names?) = try await client.send(["KEYS", "*"]) else {
                throw CLITestFailure("KEYS answered no array")
            }
            var values: [String: [UInt8]] = [:]
            for case .bulkString(let name?) in names {
                let key = String(buffer: name)
                values[key] = try await client.get(.init(key)).map { Array($0.readableBytesView) } ?? []
            }
            #expect(
                Set(values.keys).isSuperset(
                    of: ["state", "fence"].map { "\(RedisFleet.keyPrefix){\(Self.provider)}:\($0)" }))
            #expect(values.allSatisfy { $0.key.hasPrefix(RedisFleet.keyPrefix) }, "\(values.keys.sorted())")
            for (key, value) in values {
                for token in issued {
                    #expect(!Self.contains(value, Array(token.utf8)), "\(key) holds a token in clear")
                    #expect(!key.contains(token), "a key's name holds a token")
                }
            }
            for daemon in fleet.daemons {
                let output = daemon.process.stdoutText + daemon.process.stderrText
                #expect(!issued.contains { output.contains($0) }, "daemon \(daemon.index) printed a token")
            }
        } catch {
            await client.shutdown()
            throw error
        }
        await client.shutdown()
    }

    // MARK: - Helpers

    /// The refresh-related events of every daemon (no secret: tokens appear as fingerprints), for failure messages.
    static func timeline(_ fleet: RedisFleet) -> String {
        let kinds: Set = [
            "refresh_succeeded", "refresh_failed", "token_adopted", "coordination_down", "coordination_up",
            "coordination_lock_lost",
        ]
        return fleet.daemons.map { daemon in
            let events = ((try? daemon.process.events()) ?? []).filter { kinds.contains($0.event) }
            return "\n#\(daemon.index): " + events.map(\.raw).joined(separator: "\n    ")
        }.joined()
    }

    static func get(_ client: RedisClient, _ key: String) async throws -> String? {
        try await client.get(.init(key)).map { String(buffer: $0) }
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if haystack[start..<(start + needle.count)].elementsEqual(needle) { return true }
        }
        return false
    }

    static func waitForEvent(_ name: String, in fleet: RedisFleet, timeout: Duration) async throws {
        for daemon in fleet.daemons {
            _ = try await daemon.process.waitForEvent(name, timeout: timeout)
        }
    }
}
