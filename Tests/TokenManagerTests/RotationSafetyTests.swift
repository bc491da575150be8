import Clocks
import DemoIdentityProvider
import Foundation
import OAuthTopTestKit
import Testing

@testable import TokenManager

/// Refresh-token rotation safety (issue 12): a refresh whose answer was lost, and two managers that share
/// a token store and race on a rotation, against the real demo identity provider over HTTP.
///
/// Serialized: the tests hold real sockets and share two cores with other suites.
@Suite("Refresh-token rotation safety (real HTTP)", .serialized)
struct RotationSafetyTests {
    private static let name = IntegrationCredentials.providerName
    private static let secret = IntegrationCredentials.clientSecret

    /// How the `lost_answer` fault loses the answer: the connection closed after the request was read, or
    /// the answer held back far beyond the client's first timeout step.
    static let losses: [Duration?] = [nil, .seconds(60)]

    /// The ladder for a loss: a quick step that outlasts a loaded machine's processing, and, when the answer
    /// is held back, still ends long before it.
    static func ladder(_ delay: Duration?) -> TimeoutLadder {
        TimeoutLadder(steps: [
            TimeoutStep(connect: .seconds(2), total: delay == nil ? .seconds(30) : .seconds(3)),
            TimeoutStep(connect: .seconds(2), total: .seconds(30)),
        ])
    }

    // MARK: Lost answer

    @Test(
        "a lost answer is retried at once and succeeds inside the provider's reuse interval: one rotation, no error",
        arguments: Self.losses
    )
    func lostAnswerWithReuseInterval(delay: Duration?) async throws {
        let schedule = FaultSchedule(
            faults: [Fault(kind: .lostAnswer(delay: delay), count: 1)], refreshTokenReuseInterval: .seconds(30)
        )
        try await withIdentityProvider(endpoints: ["primary"], schedule: schedule) { idp in
            let refreshToken = idp.issueRefreshToken()
            let configuration = try integrationProvider(idp, refreshToken: refreshToken, timeouts: Self.ladder(delay))
            try await withManager(configuration, clock: WallClock(ImmediateClock())) { fixture in
                let token = try await fixture.manager.token(for: fixture.provider)

                let failed = fixture.events.kinds(.attemptFailed)
                #expect(failed.map { $0.string("outcome") } == [delay == nil ? "connection_error" : "timeout"])
                #expect(failed.first?.string("detail")?.hasSuffix("after the request was sent") == true)
                let retries = fixture.events.kinds(.retry)
                #expect(retries.map { $0.number("backoff_ms") } == [0], "the retry is prompt: no backoff")
                #expect(fixture.events.kinds(.refreshFailed).isEmpty)
                let succeeded = fixture.events.kinds(.refreshSucceeded)
                #expect(succeeded.count == 1)
                #expect(succeeded.first.map { render($0).contains("rotated_refresh_token=true") } == true)

                // The provider processed both requests: the lost one rotated, the retry reused the old token.
                let statistics = idp.provider.statistics()
                #expect(statistics.total.requests == 2)
                #expect(statistics.total.invalidGrant == 0)
                #expect(statistics.faultHits == [1])

                // The next refresh uses the refresh token of the answer that arrived.
                let manual = try await fixture.manager.refresh(fixture.provider)
                #expect(manual.value != token.value)
                #expect(idp.provider.statistics().total.invalidGrant == 0)
                expectNoSecrets(fixture, secrets: [Self.secret, refreshToken])
            }
        }
    }

    @Test(
        "a lost answer without a reuse interval: rotation_lost, which says the rotation was lost, not revoked",
        arguments: Self.losses
    )
    func lostAnswerWithoutReuseInterval(delay: Duration?) async throws {
        let schedule = FaultSchedule(faults: [Fault(kind: .lostAnswer(delay: delay), count: 1)])
        try await withIdentityProvider(endpoints: ["primary"], schedule: schedule) { idp in
            let refreshToken = idp.issueRefreshToken()
            let configuration = try integrationProvider(idp, refreshToken: refreshToken, timeouts: Self.ladder(delay))
            try await withManager(configuration, clock: WallClock(ImmediateClock())) { fixture in
                let error = try #require(
                    await #expect(throws: TokenRefreshError.self) {
                        try await fixture.manager.token(for: fixture.provider)
                    }
                )
                #expect(error.code == .rotationLost)
                #expect(error.reason == "rotation_lost")
                #expect(error.isFinal)
                #expect(error.description.contains("rotation lost"), "\(error)")
                #expect(error.description.contains("invalid_grant"), "\(error)")
                #expect(error.description.contains("reuse interval"), "\(error)")
                #expect(!error.description.contains("revoked"), "\(error)")
                let retries = fixture.events.kinds(.retry)
                #expect(retries.map { $0.number("backoff_ms") } == [0], "the retry is prompt: no backoff")
                #expect(
                    fixture.metrics.counterTotal(
                        label: OAuthMetricNames.refreshFailures,
                        dimensions: [("provider", Self.name), ("reason", "rotation_lost")]
                    ) == 1
                )
                #expect(idp.provider.statistics().total.requests == 2)
                #expect(idp.provider.statistics().total.invalidGrant == 1)

                // Final: the next caller hears the same, without another request.
                let again = try #require(
                    await #expect(throws: TokenRefreshError.self) {
                        try await fixture.manager.token(for: fixture.provider)
                    }
                )
                #expect(again.code == .rotationLost)
                #expect(idp.provider.statistics().total.requests == 2)
                #expect(fixture.manager.snapshot().first?.needsIntervention == true)
                expectNoSecrets(fixture, errors: [error, again], secrets: [Self.secret, refreshToken])
            }
        }
    }

    @Test("a refused connection is not a lost answer: a later invalid_grant is a revoked grant")
    func refusedIsNotLost() async throws {
        try await withIdentityProvider(endpoints: ["primary", "secondary"]) { idp in
            let refreshToken = idp.issueRefreshToken()
            idp.provider.revokeAllRefreshTokens()
            idp.provider.inject(Fault(kind: .outage, end: .seconds(3600), endpoints: ["primary"]))
            #expect(try await idp.waitUntilRefused("primary"))
            let configuration = try integrationProvider(idp, refreshToken: refreshToken, timeouts: Self.ladder(nil))
            try await withManager(configuration, clock: WallClock(ImmediateClock())) { fixture in
                let error = try #require(
                    await #expect(throws: TokenRefreshError.self) {
                        try await fixture.manager.token(for: fixture.provider)
                    }
                )
                #expect(error.code == .final)
                #expect(error.reason == "invalid_grant")
                #expect(fixture.events.kinds(.attemptFailed).first?.string("outcome") == "connection_refused")
                expectNoSecrets(fixture, errors: [error], secrets: [Self.secret, refreshToken])
            }
        }
    }

    // MARK: Two managers, one store

    @Test("two managers sharing a store race on a rotation: the loser re-reads it, no invalid_grant reaches a caller")
    func sharedStoreRace() async throws {
        let directory = NSTemporaryDirectory() + "oauthtop-rotation-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/tokens.json"
        // The latency keeps both requests in flight together; the provider rotates with no reuse interval.
        try await withIdentityProvider(endpoints: ["primary"], baseLatency: .milliseconds(300)) { idp in
            let refreshToken = idp.issueRefreshToken()
            let configuration = try integrationProvider(idp, refreshToken: refreshToken)
            try await withManager(configuration, clock: .system, store: FileTokenStore(path: path)) { first in
                try await withManager(configuration, clock: .system, store: FileTokenStore(path: path)) { second in
                    async let a = first.manager.token(for: first.provider)
                    async let b = second.manager.token(for: second.provider)
                    let (tokenA, tokenB) = try await (a, b)
                    #expect(tokenA.value == tokenB.value, "the loser adopted the winner's token")

                    let adopted = first.events.kinds(.tokenAdopted) + second.events.kinds(.tokenAdopted)
                    #expect(adopted.map { $0.string("reason") } == ["rotated_in_store"])
                    #expect(first.events.kinds(.refreshFailed).isEmpty && second.events.kinds(.refreshFailed).isEmpty)
                    let conflicts = first.metrics.counterTotal(label: OAuthMetricNames.refreshConflicts)
                        + second.metrics.counterTotal(label: OAuthMetricNames.refreshConflicts)
                    #expect(conflicts == 1)
                    let statistics = idp.provider.statistics()
                    #expect(statistics.accessTokensIssued == 1, "one rotation")
                    #expect(statistics.total.invalidGrant == 1, "the loser's request was refused, and recovered")

                    // Whichever persists last does not write the spent refresh token back.
                    first.manager.persist()
                    second.manager.persist()
                    let stored = try #require(FileTokenStore(path: path).read()[Self.name]?.refreshToken)
                    #expect(stored != refreshToken)

                    // The second rotates again; the first, still holding the previous refresh token, loses
                    // the next race too and recovers the same way.
                    let secondToken = try await second.manager.refresh(second.provider)
                    let firstToken = try await first.manager.refresh(first.provider)
                    #expect(firstToken.value == secondToken.value)
                    #expect(first.events.kinds(.tokenAdopted).last?.string("reason") == "rotated_in_store")
                    #expect(idp.provider.statistics().accessTokensIssued == 2)
                    #expect(idp.provider.statistics().total.invalidGrant == 2)
                    #expect(first.events.kinds(.refreshFailed).isEmpty && second.events.kinds(.refreshFailed).isEmpty)
                    for fixture in [first, second] {
                        expectNoSecrets(fixture, secrets: [Self.secret, refreshToken, stored])
                    }
                }
            }
        }
    }

    @Test("a manager whose access token from the store is too old retries once with the store's newer refresh token")
    func sharedStoreRefreshTokenOnly() async throws {
        let directory = NSTemporaryDirectory() + "oauthtop-rotation-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/tokens.json"
        try await withIdentityProvider(endpoints: ["primary"]) { idp in
            let refreshToken = idp.issueRefreshToken()
            let configuration = try integrationProvider(idp, refreshToken: refreshToken)
            // The other manager rotated the token, and its access token is about to expire.
            let rotated = idp.issueRefreshToken()
            let now = Int64(Date().timeIntervalSince1970 * 1e9)
            let seed = Secret(refreshToken).fingerprint
            try FileTokenStore(path: path).save([
                Self.name: StoredToken(
                    accessToken: "spent-access-token", tokenType: "Bearer", expiresAtNanos: now + 1_000_000_000,
                    obtainedAtNanos: now - 59_000_000_000, lifetimeNanos: 60_000_000_000, endpoint: "",
                    scope: nil, refreshToken: rotated, refreshTokenSeed: seed
                )
            ])
            #expect(idp.provider.revokeRefreshToken(refreshToken))
            let store = FileTokenStore(path: path)
            try await withManager(configuration, clock: WallClock(ImmediateClock()), store: store) { fixture in
                let token = try await fixture.manager.token(for: fixture.provider)
                #expect(token.value.revealed != "spent-access-token")
                #expect(fixture.events.kinds(.tokenAdopted).isEmpty)
                #expect(fixture.events.kinds(.retry).compactMap { $0.string("reason") } == ["rotated_in_store"])
                #expect(fixture.events.kinds(.refreshSucceeded).count == 1)
                #expect(fixture.events.kinds(.refreshFailed).isEmpty)
                #expect(idp.provider.statistics().total.invalidGrant == 1)
                expectNoSecrets(fixture, secrets: [Self.secret, refreshToken, rotated])
            }
        }
    }
}

@Suite("File token store: merging managers' writes")
struct TokenStoreMergeTests {
    static func entry(refreshToken: String, obtainedAt: Int64, seed: String = "seed") -> StoredToken {
        StoredToken(
            accessToken: "at-\(refreshToken)", tokenType: "Bearer", expiresAtNanos: obtainedAt + 60_000_000_000,
            obtainedAtNanos: obtainedAt, lifetimeNanos: 60_000_000_000, endpoint: "http://127.0.0.1:1/t",
            scope: nil, refreshToken: refreshToken, refreshTokenSeed: seed
        )
    }

    @Test("newest rotation wins per provider; other providers are kept; a newly configured refresh token wins")
    func merge() throws {
        let directory = NSTemporaryDirectory() + "oauthtop-merge-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = FileTokenStore(path: directory + "/tokens.json")
        try store.save([
            "a": Self.entry(refreshToken: "a-newer", obtainedAt: 2_000),
            "b": Self.entry(refreshToken: "b-older", obtainedAt: 1_000),
            "c": Self.entry(refreshToken: "c-newer", obtainedAt: 2_000),
            "other": Self.entry(refreshToken: "other", obtainedAt: 1_000),
        ])
        let kept = try store.merge([
            "a": Self.entry(refreshToken: "a-spent", obtainedAt: 1_000),
            "b": Self.entry(refreshToken: "b-newer", obtainedAt: 2_000),
            "c": Self.entry(refreshToken: "c-configured", obtainedAt: 1_000, seed: "new-seed"),
            "d": Self.entry(refreshToken: "d", obtainedAt: 1_000),
        ])
        #expect(kept == ["a"])
        let tokens = store.read()
        #expect(tokens["a"]?.refreshToken == "a-newer", "another manager's later rotation is not overwritten")
        #expect(tokens["b"]?.refreshToken == "b-newer")
        #expect(tokens["c"]?.refreshToken == "c-configured", "a newly configured refresh token wins")
        #expect(tokens["d"]?.refreshToken == "d")
        #expect(tokens["other"]?.refreshToken == "other", "a provider this manager does not know is kept")
        let attributes = try FileManager.default.attributesOfItem(atPath: directory + "/tokens.json.lock")
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }

    @Test("read() of a corrupt file is empty and leaves the file where it is")
    func readCorrupt() throws {
        let directory = NSTemporaryDirectory() + "oauthtop-merge-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/tokens.json"
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: path))
        #expect(FileTokenStore(path: path).read().isEmpty)
        #expect(FileManager.default.fileExists(atPath: path))
    }
}
