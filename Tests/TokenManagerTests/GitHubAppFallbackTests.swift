import Clocks
import Foundation
import Logging
import MetricsTestKit
import OAuthTopTestKit
import Testing

@testable import TokenManager

/// The GitHub App entry against a loopback fake of GitHub that checks the app JWT as GitHub does.
@Suite("Fallback chain: GitHub App installation tokens (loopback fake of GitHub)")
struct GitHubAppFallbackTests {
    /// One RSA key for the suite (generating one takes a while in debug builds).
    static let appKey: (privatePEM: String, pkcs8PEM: String, publicPEM: String) = {
        do { return try FakeGitHubApp.generateKey() } catch { fatalError("no RSA key: \(error)") }
    }()
    static let origin: Int64 = 1_800_000_000_000_000_000

    struct Setup {
        let manager: OAuthTokenManager
        let clock: ImmediateClock<Duration>
        let wall: WallClock
        let metrics: TestMetrics
        let events: EventRecorder
        let transport: RoutedTransport
    }

    /// A manager whose provider `p` has a failing OAuth endpoint and `chain` as its fallback.
    static func setup(_ chain: [FallbackCredential], clock: ImmediateClock<Duration>, wall: WallClock) -> Setup {
        let transport = RoutedTransport(passthrough: HTTPClientTransport())
        let metrics = TestMetrics()
        let events = EventRecorder()
        let manager = OAuthTokenManager(
            providers: [FallbackTests.provider("p", fallback: chain)], transport: transport, clock: wall,
            random: .fixed(0.5), metricsFactory: metrics, logger: Logger(label: "test")
        )
        manager.subscribe { events.record($0) }
        return Setup(manager: manager, clock: clock, wall: wall, metrics: metrics, events: events, transport: transport)
    }

    static func installation(
        _ fake: FakeGitHubApp, appID: String = "12345", installationID: String = "678",
        key: String = GitHubAppFallbackTests.appKey.privatePEM
    ) throws -> GitHubAppInstallation {
        try GitHubAppInstallation(
            appID: appID, installationID: installationID, privateKey: Secret(key), apiURL: fake.apiURL
        )
    }

    @Test("the app JWT passes GitHub's checks; the installation token is handed out and cached until its refresh time")
    func installationToken() async throws {
        let clock = ImmediateClock()
        let wall = WallClock(clock, wallOriginNanos: Self.origin)
        try await FakeGitHubApp.with(
            appID: "12345", installationID: "678", publicKeyPEM: Self.appKey.publicPEM,
            now: { Double(wall.now()) / 1e9 }
        ) { fake in
            let setup = Self.setup([.githubApp(try Self.installation(fake))], clock: clock, wall: wall)
            let token = try await setup.manager.token(for: "p")
            #expect(token.value.revealed == "ghs_fake0")
            #expect(token.fallback == .githubApp)
            #expect(token.authorizationHeader == "Bearer ghs_fake0")
            let exchange = try #require(fake.exchanges.first)
            #expect(exchange.problem == nil, "\(exchange.problem ?? "")")
            #expect(exchange.algorithm == "RS256")
            #expect(exchange.issuer == "12345")
            #expect(exchange.issuedAt == exchange.checkedAt.rounded(.down) - 60)
            let exp = try #require(exchange.expiresAt)
            #expect(exp > exchange.checkedAt && exp <= exchange.checkedAt + 600)
            #expect(exchange.headers["accept"] == "application/vnd.github+json")
            #expect(exchange.headers["x-github-api-version"] == "2022-11-28")
            #expect(exchange.headers["user-agent"] == "oauthtop")
            #expect(token.expiresAt == Self.origin + 3600 * 1_000_000_000)

            for _ in 0..<20 { #expect(try await setup.manager.token(for: "p").value.revealed == "ghs_fake0") }
            #expect(fake.exchanges.count == 1, "one exchange while the token is fresh")
            // The provider's mandatory window is 10% of the hour: the token is kept until 54 minutes.
            try await clock.sleep(for: .seconds(3200))
            #expect(try await setup.manager.token(for: "p").value.revealed == "ghs_fake0")
            #expect(fake.exchanges.count == 1)
            try await clock.sleep(for: .seconds(60))
            #expect(try await setup.manager.token(for: "p").value.revealed == "ghs_fake1")
            #expect(fake.exchanges.count == 2)
            #expect(fake.exchanges.allSatisfy { $0.problem == nil })

            #expect(FallbackTests.uses(setup.metrics, "p", "github_app") == 23)
            let engaged = try #require(setup.events.kinds(.fallbackEngaged).first)
            #expect(engaged["method"] == .string("github_app"))
            #expect(engaged["github_app_id"] == .string("12345"))
            #expect(engaged["installation_id"] == .string("678"))
            #expect(engaged["token_sha256"] == .string(Secret.fingerprint(of: "ghs_fake0")))
            let shown = setup.events.all.map { "\($0)" }.joined(separator: "\n")
            #expect(!shown.contains("ghs_fake"))
            #expect(!shown.contains("PRIVATE KEY"))
        }
    }

    @Test("a PKCS#8 key signs as well as GitHub's PKCS#1 one")
    func pkcs8Key() async throws {
        let clock = ImmediateClock()
        let wall = WallClock(clock, wallOriginNanos: Self.origin)
        let pkcs8 = Self.appKey.pkcs8PEM
        #expect(pkcs8.contains("BEGIN PRIVATE KEY"))
        #expect(Self.appKey.privatePEM.contains("BEGIN RSA PRIVATE KEY"))
        try await FakeGitHubApp.with(
            appID: "Iv1.abcdef", installationID: "9", publicKeyPEM: Self.appKey.publicPEM,
            now: { Double(wall.now()) / 1e9 }
        ) { fake in
            let installation = try Self.installation(fake, appID: "Iv1.abcdef", installationID: "9", key: pkcs8)
            let setup = Self.setup([.githubApp(installation)], clock: clock, wall: wall)
            #expect(try await setup.manager.token(for: "p").fallback == .githubApp)
            #expect(fake.exchanges.first?.issuer == "Iv1.abcdef")
        }
    }

    struct ErrorCase: Sendable, CustomTestStringConvertible {
        let name: String
        let answer: FakeGitHubApp.Answer?
        /// Use another key than the one GitHub knows (GitHub answers 401).
        var wrongKey = false
        /// Ask for another installation (GitHub answers 404).
        var wrongInstallation = false
        let expected: String
        var testDescription: String { self.name }
    }

    static let otherKey: String = {
        do { return try FakeGitHubApp.generateKey().privatePEM } catch { fatalError("no RSA key: \(error)") }
    }()

    static let errorCases: [ErrorCase] = [
        ErrorCase(
            name: "401: a JWT signed with another key", answer: nil, wrongKey: true,
            expected:
                "http_401: HTTP 401 GitHub rejected the app JWT: check app_id, the private key, and this machine's clock: "
                + "A JSON web token could not be decoded"
        ),
        ErrorCase(
            name: "404: an installation GitHub does not know", answer: nil, wrongInstallation: true,
            expected:
                "http_404: HTTP 404 no such installation of this app: check installation_id, app_id and api_url: Not Found"
        ),
        ErrorCase(
            name: "422",
            answer: .status(422, body: #"{"message":"There is at least one repository that does not exist"}"#),
            expected:
                "http_422: HTTP 422 GitHub could not process the request (the requested permissions or repositories?): "
                + "There is at least one repository that does not exist"
        ),
        ErrorCase(
            name: "403 with the rate limit exhausted",
            answer: .status(
                403, body: #"{"message":"API rate limit exceeded"}"#,
                headers: [("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", "1800000120")]
            ),
            expected: "rate_limited: HTTP 403, GitHub's rate limit: API rate limit exceeded; retry in 120s"
        ),
        ErrorCase(
            name: "429 with Retry-After",
            answer: .status(429, body: #"{"message":"secondary rate limit"}"#, headers: [("retry-after", "30")]),
            expected: "rate_limited: HTTP 429, GitHub's rate limit: secondary rate limit; retry in 30s"
        ),
        ErrorCase(
            name: "a 201 that is not JSON", answer: .status(201, body: "<html>oops</html>"),
            expected: "bad_response: not_json: the answer is not JSON"
        ),
        ErrorCase(
            name: "a 201 without expires_at", answer: .status(201, body: #"{"token":"ghs_x"}"#),
            expected: "bad_response: missing_expires_at: the answer has no expires_at"
        ),
        ErrorCase(
            name: "a 500", answer: .status(500, body: #"{"message":"Server Error"}"#),
            expected: "http_500: HTTP 500: Server Error"
        ),
    ]

    @Test(
        "GitHub's refusals are clear, secret-free errors, and a failed exchange is not repeated at once",
        arguments: errorCases)
    func errors(_ error: ErrorCase) async throws {
        let clock = ImmediateClock()
        let wall = WallClock(clock, wallOriginNanos: Self.origin)
        try await FakeGitHubApp.with(
            appID: "12345", installationID: "678", publicKeyPEM: Self.appKey.publicPEM,
            now: { Double(wall.now()) / 1e9 }, answer: { _ in error.answer ?? .token("ghs_never", expiresIn: 3600) }
        ) { fake in
            let installation = try Self.installation(
                fake, installationID: error.wrongInstallation ? "999" : "678",
                key: error.wrongKey ? Self.otherKey : Self.appKey.privatePEM
            )
            let setup = Self.setup([.githubApp(installation)], clock: clock, wall: wall)
            let thrown = await #expect(throws: TokenRefreshError.self) { try await setup.manager.token(for: "p") }
            let message = try #require(thrown?.description)
            #expect(
                message.contains(
                    "1) GitHub App \(installation.appID) installation \(installation.installationID): "
                        + error.expected), "\(message)")
            for secret in [Self.appKey.privatePEM, Self.otherKey, "PRIVATE KEY", "eyJ", "ghs_never"] {
                #expect(!message.contains(secret))
            }
            let tried = try #require(thrown?.tried)
            #expect(tried.map(\.method) == ["oauth", "github_app"])
            #expect(tried.last?.reason == "github_app_failed")
            #expect(tried.last?.entry == "GitHub App \(installation.appID) installation \(installation.installationID)")
            #expect(tried.last?.detail.hasPrefix(error.expected) == true, "\(tried.last?.detail ?? "")")
            #expect(setup.events.kinds(.emergency).count == 1, "every method failed: emergency mode")
            let refused = try #require(setup.events.kinds(.fallbackRefused).first)
            #expect(refused["reason"] == .string("github_app_failed"))
            #expect(refused["method"] == .string("github_app"))
            // At once again: answered from the failure without asking GitHub.
            let again = await #expect(throws: TokenRefreshError.self) { try await setup.manager.token(for: "p") }
            #expect(again?.description.contains("not retried before") == true)
            #expect(fake.exchanges.count == 1)
            #expect(FallbackTests.uses(setup.metrics, "p", "github_app") == 0)
        }
    }

    @Test("a rate limit holds further exchanges for as long as GitHub asked")
    func rateLimitHold() async throws {
        let clock = ImmediateClock()
        let wall = WallClock(clock, wallOriginNanos: Self.origin)
        try await FakeGitHubApp.with(
            appID: "12345", installationID: "678", publicKeyPEM: Self.appKey.publicPEM,
            now: { Double(wall.now()) / 1e9 },
            answer: { index in
                index == 0
                    ? .status(429, body: #"{"message":"slow down"}"#, headers: [("retry-after", "90")])
                    : .token("ghs_later", expiresIn: 3600)
            }
        ) { fake in
            let setup = Self.setup([.githubApp(try Self.installation(fake))], clock: clock, wall: wall)
            await #expect(throws: TokenRefreshError.self) { try await setup.manager.token(for: "p") }
            try await clock.sleep(for: .seconds(60))
            await #expect(throws: TokenRefreshError.self) { try await setup.manager.token(for: "p") }
            #expect(fake.exchanges.count == 1, "still inside Retry-After (longer than the breaker's cool-down)")
            try await clock.sleep(for: .seconds(31))
            #expect(try await setup.manager.token(for: "p").value.revealed == "ghs_later")
            #expect(fake.exchanges.count == 2)
        }
    }

    @Test("a bad key, app id or installation id is refused when the entry is made, without showing the key")
    func configurationErrors() throws {
        #expect(throws: GitHubAppError.notPEM) {
            try GitHubAppInstallation(appID: "1", installationID: "2", privateKey: Secret("not-a-key-secret-value"))
        }
        let garbled = "-----BEGIN RSA PRIVATE KEY-----\nZ2FyYmxlZA==\n-----END RSA PRIVATE KEY-----\n"
        let error = #expect(throws: GitHubAppError.notRSAKey) {
            try GitHubAppInstallation(appID: "1", installationID: "2", privateKey: Secret(garbled))
        }
        #expect(error?.description.contains("Z2FyYmxlZA") == false)
        #expect(throws: GitHubAppError.invalidInstallationID) {
            try GitHubAppInstallation(appID: "1", installationID: "../x", privateKey: Secret(Self.appKey.privatePEM))
        }
        #expect(throws: GitHubAppError.invalidAppID) {
            try GitHubAppInstallation(appID: "a b", installationID: "2", privateKey: Secret(Self.appKey.privatePEM))
        }
        let installation = try GitHubAppInstallation(
            appID: "1", installationID: "2", privateKey: Secret(Self.appKey.privatePEM),
            apiURL: "https://ghe.example/api/v3/"
        )
        #expect(installation.accessTokensURL == "https://ghe.example/api/v3/app/installations/2/access_tokens")
        #expect(!"\(FallbackCredential.githubApp(installation))".contains("PRIVATE"))
    }
}
