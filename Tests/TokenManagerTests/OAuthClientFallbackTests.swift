import Clocks
import Foundation
import Logging
import MetricsTestKit
import OAuthTopTestKit
import Testing

@testable import TokenManager

/// The second-OAuth-client entry: the provider's own round with another client's credentials.
@Suite("Fallback chain: a second OAuth client of the same provider")
struct OAuthClientFallbackTests {
    static let spareSecret = "spare-secret-0123456789"

    static func manager(
        _ chain: [FallbackCredential], _ transport: RoutedTransport, clock: ImmediateClock<Duration>,
        metrics: TestMetrics = TestMetrics(), events: EventRecorder = EventRecorder()
    ) -> OAuthTokenManager {
        FallbackTests.manager(
            [FallbackTests.provider("p", fallback: chain)], transport, clock: clock, metrics: metrics, events: events)
    }

    @Test("its own endpoints, credentials and scopes; the token is cached until its mandatory window")
    func ownEndpoints() async throws {
        let clock = ImmediateClock()
        let transport = RoutedTransport(["spare.test": [.token("s1", expiresIn: 1000), .token("s2", expiresIn: 1000)]])
        let metrics = TestMetrics()
        let events = EventRecorder()
        let client = FallbackOAuthClient(
            clientID: "spare", clientSecret: Secret(Self.spareSecret), scopes: ["read", "write"],
            tokenEndpoints: ["http://spare.test/token"]
        )
        let manager = Self.manager([.oauthClient(client)], transport, clock: clock, metrics: metrics, events: events)
        let token = try await manager.token(for: "p")
        #expect(token.value.revealed == "s1")
        #expect(token.fallback == .oauthClient)
        let request = try #require(transport.requests(to: "spare.test").first)
        #expect(request.body.contains("grant_type=client_credentials"))
        #expect(request.body.contains("scope=read+write") || request.body.contains("scope=read%20write"))
        let basic = "Basic " + Data("spare:\(Self.spareSecret)".utf8).base64EncodedString()
        #expect(request.headers["authorization"] == basic)
        for _ in 0..<10 { #expect(try await manager.token(for: "p").value.revealed == "s1") }
        #expect(transport.requests(to: "spare.test").count == 1)
        // expires_in 1000 s: the mandatory window (10%) opens at 900 s.
        try await clock.sleep(for: .seconds(850))
        #expect(try await manager.token(for: "p").value.revealed == "s1")
        try await clock.sleep(for: .seconds(60))
        #expect(try await manager.token(for: "p").value.revealed == "s2")
        #expect(transport.requests(to: "spare.test").count == 2)
        #expect(FallbackTests.uses(metrics, "p", "oauth_client") == 13)
        let engaged = try #require(events.kinds(.fallbackEngaged).first)
        #expect(engaged["method"] == .string("oauth_client"))
        #expect(engaged["client_id"] == .string("spare"))
        #expect(!events.all.map { "\($0)" }.joined().contains(Self.spareSecret))
    }

    @Test("without endpoints of its own it uses the provider's; its failure is named without its secret")
    func providerEndpoints() async throws {
        let clock = ImmediateClock()
        let revoked = #"{"error":"invalid_client","error_description":"client secret rotated"}"#
        // The provider's client is refused; the spare client, at the same endpoint, gets a token; then fails.
        let transport = RoutedTransport([
            "p.test": [
                .status(401, body: revoked), .token("from-spare", expiresIn: 100),
                .status(401, body: #"{"error":"invalid_client","error_description":"\#(Self.spareSecret) is wrong"}"#),
            ]
        ])
        let events = EventRecorder()
        let manager = Self.manager(
            [.oauthClient(FallbackOAuthClient(clientID: "spare", clientSecret: Secret(Self.spareSecret)))], transport,
            clock: clock, events: events
        )
        #expect(try await manager.token(for: "p").value.revealed == "from-spare")
        let requests = transport.requests(to: "p.test")
        #expect(requests.count == 2)
        #expect(
            requests[0].headers["authorization"] == "Basic "
                + Data("client:client-secret-123".utf8).base64EncodedString())
        #expect(
            requests[1].headers["authorization"] == "Basic "
                + Data("spare:\(Self.spareSecret)".utf8).base64EncodedString())

        try await clock.sleep(for: .seconds(101))
        let error = await #expect(throws: TokenRefreshError.self) { try await manager.token(for: "p") }
        let message = try #require(error?.description)
        #expect(message.contains("1) OAuth client 'spare': invalid_client"), "\(message)")
        #expect(!message.contains(Self.spareSecret))
        #expect(
            message.contains(Secret.fingerprint(of: Self.spareSecret)), "the echoed secret is shown as its fingerprint")
        #expect(events.kinds(.fallbackRefused).first?["reason"] == .string("oauth_client_failed"))
        #expect(error?.tried.last == FallbackAttempt(
            method: "oauth_client", entry: "OAuth client 'spare'", reason: "oauth_client_failed",
            detail: try #require(error?.tried.last?.detail)
        ))
        #expect(error?.tried.last?.detail.contains(Self.spareSecret) == false)
    }

    @Test("the refresh_token grant sends its own refresh token and keeps a rotated one")
    func refreshTokenGrant() async throws {
        let clock = ImmediateClock()
        let transport = RoutedTransport([
            "spare.test": [.token("s1", expiresIn: 100, refreshToken: "rotated-rt"), .token("s2", expiresIn: 100)]
        ])
        let client = FallbackOAuthClient(
            clientID: "spare", grant: .refreshToken, refreshToken: Secret("spare-rt-1"),
            clientAuthentication: .body, tokenEndpoints: ["http://spare.test/token"]
        )
        let manager = Self.manager([.oauthClient(client)], transport, clock: clock)
        #expect(try await manager.token(for: "p").value.revealed == "s1")
        try await clock.sleep(for: .seconds(101))
        #expect(try await manager.token(for: "p").value.revealed == "s2")
        let bodies = transport.requests(to: "spare.test").map(\.body)
        #expect(bodies.count == 2)
        #expect(bodies[0].contains("grant_type=refresh_token") && bodies[0].contains("refresh_token=spare-rt-1"))
        #expect(bodies[0].contains("client_id=spare"))
        #expect(bodies[1].contains("refresh_token=rotated-rt"))
    }
}
