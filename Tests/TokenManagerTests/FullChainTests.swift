import Clocks
import Foundation
import Logging
import MetricsTestKit
import OAuthTopTestKit
import Testing

@testable import TokenManager

@Suite("Fallback chain: every kind of entry, in order, and back to OAuth")
struct FullChainTests {
    @Test(
        "OAuth down: the alternate provider, then the GitHub App, then the second client, then the emergency key; then OAuth"
    )
    func wholeChain() async throws {
        let clock = ImmediateClock()
        let wall = WallClock(clock, wallOriginNanos: GitHubAppFallbackTests.origin)
        let approval = FileManager.default.temporaryDirectory.appendingPathComponent(
            "oauthtop-approve-\(UUID().uuidString)"
        ).path
        #expect(FileManager.default.createFile(atPath: approval, contents: Data()))
        defer { try? FileManager.default.removeItem(atPath: approval) }
        try await FakeGitHubApp.with(
            appID: "12345", installationID: "678", publicKeyPEM: GitHubAppFallbackTests.appKey.publicPEM,
            now: { Double(wall.now()) / 1e9 },
            answer: { index in
                index == 0 ? .token("ghs_first", expiresIn: 200) : .status(500, body: #"{"message":"Server Error"}"#)
            }
        ) { fake in
            let transport = RoutedTransport(
                ["q.test": [.token("q1", expiresIn: 100)], "spare.test": [.token("s1", expiresIn: 100)]],
                passthrough: HTTPClientTransport()
            )
            let metrics = TestMetrics()
            let events = EventRecorder()
            let chain: [FallbackCredential] = [
                .alternateProvider("q"),
                .githubApp(try GitHubAppFallbackTests.installation(fake)),
                .oauthClient(
                    FallbackOAuthClient(
                        clientID: "spare", clientSecret: Secret("spare-secret-1"),
                        tokenEndpoints: ["http://spare.test/token"]
                    )),
                FallbackTests.emergency(maxDuration: .seconds(600), approvalFile: approval),
            ]
            let manager = OAuthTokenManager(
                providers: [FallbackTests.provider("p", fallback: chain), FallbackTests.provider("q")],
                transport: transport, clock: wall, random: .fixed(0.5), metricsFactory: metrics,
                logger: Logger(label: "test")
            )
            manager.subscribe { events.record($0) }

            // 1. p's OAuth fails: the alternate provider's token.
            let viaAlternate = try await manager.token(for: "p")
            #expect(viaAlternate.value.revealed == "q1" && viaAlternate.fallback == .alternateProvider)
            // 2. q's token expires and q fails too: the GitHub App's installation token.
            try await clock.sleep(for: .seconds(101))
            let viaApp = try await manager.token(for: "p")
            #expect(viaApp.value.revealed == "ghs_first" && viaApp.fallback == .githubApp)
            // 3. The installation token expires and GitHub fails: the second OAuth client.
            try await clock.sleep(for: .seconds(201))
            let viaClient = try await manager.token(for: "p")
            #expect(viaClient.value.revealed == "s1" && viaClient.fallback == .oauthClient)
            // 4. Its token expires and it fails too: the emergency key (approved by the file).
            try await clock.sleep(for: .seconds(101))
            let viaKey = try await manager.token(for: "p")
            #expect(viaKey.value.revealed == FallbackTests.emergencyValue && viaKey.fallback == .emergencyKey)
            // 5. OAuth is back: the breaker's next probe gets a real token and the outage ends.
            transport.script("p.test", [.token("t1", expiresIn: 1000)])
            try await clock.sleep(for: .seconds(31))
            let real = try await manager.token(for: "p")
            #expect(real.value.revealed == "t1" && !real.isFallback)

            let engaged = events.kinds(.fallbackEngaged)
            #expect(
                engaged.map { $0["method"] } == [
                    .string("alternate_provider"), .string("github_app"), .string("oauth_client"),
                    .string("emergency_key"),
                ])
            #expect(
                engaged.dropFirst().map { $0["switched_from"] } == [
                    .string("alternate_provider"), .string("github_app"), .string("oauth_client"),
                ])
            let ended = try #require(events.kinds(.fallbackEnded).first)
            #expect(ended["method"] == .string("emergency_key"))
            #expect(ended["uses"] == .int(4))
            for method in ["alternate_provider", "github_app", "oauth_client", "emergency_key"] {
                #expect(FallbackTests.uses(metrics, "p", method) == 1, "\(method)")
            }
            let refusals = events.kinds(.fallbackRefused).map { $0["reason"] }
            #expect(
                refusals == [.string("alternate_failed"), .string("github_app_failed"), .string("oauth_client_failed")])
            #expect(fake.exchanges.allSatisfy { $0.problem == nil })
            let shown = events.all.map { "\($0)" }.joined(separator: "\n")
            for secret in [
                FallbackTests.emergencyValue, "spare-secret-1", "ghs_first", "PRIVATE KEY", "client-secret-123",
            ] {
                #expect(!shown.contains(secret))
            }
        }
    }
}
