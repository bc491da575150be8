import AsyncHTTPClient
import DemoIdentityProvider
import Foundation
import JWTKit
import NIOCore
import NIOHTTP1
import Testing

@Suite("The protected resource verifies the provider's own tokens (RFC 6750)")
struct ProtectedResourceTests {
    private func get(
        _ harness: Harness,
        authorization: String?,
        on endpoint: DemoEndpoint? = nil
    ) async throws -> Reply {
        let target = endpoint ?? harness.primary
        var request = HTTPClientRequest(url: "http://\(target.host):\(target.port)/api/resource")
        if let authorization { request.headers.add(name: "Authorization", value: authorization) }
        let response = try await harness.client.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        return Reply(
            status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
            body: Array(body.readableBytesView)
        )
    }

    @Test("a token the provider issued is accepted on every endpoint's listener; the request is counted")
    func accepted() async throws {
        try await withProvider { harness in
            let token = try #require(try await harness.clientCredentials().json?["access_token"] as? String)
            for endpoint in harness.endpoints {
                let reply = try await self.get(harness, authorization: "Bearer \(token)", on: endpoint)
                #expect(reply.status == 200, "\(reply.text)")
                #expect(reply.json?["sub"] as? String == testClient.id)
                // Seconds left of the token (a suite starting on 2 cores may take a while to get here).
                let lifetime = Int(harness.provider.configuration.tokenLifetime.seconds)
                #expect((1...lifetime).contains(reply.json?["expires_in"] as? Int ?? 0))
            }
            #expect(harness.provider.statistics().resourceAccepted == 2)
        }
    }

    @Test("no token: 401 with a Bearer challenge and no error code (RFC 6750 §3.1)")
    func missing() async throws {
        try await withProvider { harness in
            let reply = try await self.get(harness, authorization: nil)
            #expect(reply.status == 401)
            #expect(reply.header("WWW-Authenticate") == #"Bearer realm="oauthtop-demo""#)
        }
    }

    @Test("a tampered, foreign, expired or malformed token: 401 error=\"invalid_token\"")
    func invalid() async throws {
        try await withProvider(try testConfiguration(lifetime: .seconds(1))) { harness in
            let token = try #require(try await harness.clientCredentials().json?["access_token"] as? String)
            let foreignKeys = await JWTKeyCollection().add(
                hmac: HMACKey(from: Array(repeating: UInt8(7), count: 32)), digestAlgorithm: .sha256,
                kid: JWKIdentifier(string: DemoSigning.keyID)
            )
            let foreign = try await foreignKeys.sign(
                DemoAccessTokenClaims(
                    issuer: "https://issuer.test", subject: "x", issuedAt: Date(), lifetime: .seconds(60), id: "1",
                    scope: nil
                ),
                kid: JWKIdentifier(string: DemoSigning.keyID)
            )
            var tampered = Array(token)
            tampered[tampered.count - 3] = tampered[tampered.count - 3] == "A" ? "B" : "A"
            for (candidate, reason) in [
                (String(tampered), "signature"), (foreign, "signature"), ("not-a-jwt", "malformed"),
            ] {
                let reply = try await self.get(harness, authorization: "Bearer \(candidate)")
                #expect(reply.status == 401)
                let challenge = reply.header("WWW-Authenticate") ?? ""
                #expect(challenge.hasPrefix(#"Bearer realm="oauthtop-demo", error="invalid_token""#), "\(challenge)")
                #expect(challenge.contains(reason), "\(challenge)")
                #expect(!reply.text.contains(candidate))
            }
            // The token lives one second: once it has expired it is refused too.
            let expired = await eventuallyRefused(harness, token: token)
            #expect(expired?.header("WWW-Authenticate")?.contains("expired") == true)
            #expect(harness.provider.statistics().resourceRejected == 4)
        }
    }

    private func eventuallyRefused(_ harness: Harness, token: String) async -> Reply? {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if let reply = try? await self.get(harness, authorization: "Bearer \(token)"), reply.status == 401 {
                return reply
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }
}
