import AsyncHTTPClient
import DemoIdentityProvider
import Foundation
import JWTKit
import Testing

@Suite("RFC 6749 token endpoint")
struct TokenEndpointTests {
    @Test("client_credentials issues a signed JWT that verifies and expires as stated")
    func clientCredentials() async throws {
        try await withProvider { harness in
            let reply = try await harness.token([("grant_type", "client_credentials"), ("scope", "read write")])
            #expect(reply.status == 200)
            #expect(reply.header("Cache-Control") == "no-store")
            #expect(reply.header("Pragma") == "no-cache")
            #expect(reply.header("Content-Type")?.hasPrefix("application/json") == true)
            let json = try #require(reply.json)
            #expect(json["token_type"] as? String == "Bearer")
            #expect(json["expires_in"] as? Int == 60)
            #expect(json["scope"] as? String == "read write")
            #expect(json["refresh_token"] == nil, "RFC 6749 §4.4.3: no refresh token for client_credentials")
            let token = try #require(json["access_token"] as? String)

            let keys = await JWTKeyCollection().add(
                hmac: HMACKey(from: testSigningKey),
                digestAlgorithm: .sha256,
                kid: JWKIdentifier(string: DemoSigning.keyID)
            )
            let claims = try await keys.verify(token, as: DemoAccessTokenClaims.self)
            #expect(claims.iss.value == "https://issuer.test")
            #expect(claims.sub.value == testClient.id)
            #expect(claims.scope == "read write")
            let lifetime = claims.exp.value.timeIntervalSince(claims.iat.value)
            #expect(abs(lifetime - 60) < 1)
            #expect(claims.exp.value > Date())

            let wrongKeys = await JWTKeyCollection().add(
                hmac: HMACKey(from: Array("a-different-key-of-32-bytes-long".utf8)),
                digestAlgorithm: .sha256,
                kid: JWKIdentifier(string: DemoSigning.keyID)
            )
            await #expect(throws: (any Error).self) {
                _ = try await wrongKeys.verify(token, as: DemoAccessTokenClaims.self)
            }
            #expect(harness.provider.statistics().accessTokensIssued == 1)
        }
    }

    @Test("RS256 tokens verify with the published public key")
    func rs256() async throws {
        let signing = try DemoSigning.rs256GeneratedKey()
        let pem = try #require(signing.publicKeyPEM)
        try await withProvider(try testConfiguration(signing: signing)) { harness in
            let reply = try await harness.clientCredentials()
            let token = try #require(reply.json?["access_token"] as? String)
            let keys = await JWTKeyCollection().add(
                rsa: try Insecure.RSA.PublicKey(pem: pem),
                digestAlgorithm: .sha256,
                kid: JWKIdentifier(string: DemoSigning.keyID)
            )
            let claims = try await keys.verify(token, as: DemoAccessTokenClaims.self)
            #expect(claims.sub.value == testClient.id)
        }
    }

    @Test("an HS256 key shorter than 32 bytes is rejected")
    func shortKey() {
        #expect(throws: DemoIdentityProviderError.invalidConfiguration("")) {
            _ = try DemoSigning.hs256(key: Array("too-short".utf8))
        }
    }

    @Test("a refresh grant rotates the refresh token; the old one then gets invalid_grant")
    func refreshRotation() async throws {
        try await withProvider { harness in
            let first = harness.provider.issueRefreshToken(clientID: testClient.id, scope: "read write")
            let reply = try await harness.token([("grant_type", "refresh_token"), ("refresh_token", first)])
            #expect(reply.status == 200)
            let json = try #require(reply.json)
            let second = try #require(json["refresh_token"] as? String)
            #expect(second != first)
            #expect(json["scope"] as? String == "read write", "the original scope is echoed when none is asked")
            #expect(json["access_token"] is String)

            let reused = try await harness.token([("grant_type", "refresh_token"), ("refresh_token", first)])
            #expect(reused.status == 400)
            #expect(reused.error == "invalid_grant")

            let narrowed = try await harness.token(
                [("grant_type", "refresh_token"), ("refresh_token", second), ("scope", "read")]
            )
            #expect(narrowed.status == 200)
            #expect(narrowed.json?["scope"] as? String == "read")
            let third = try #require(narrowed.json?["refresh_token"] as? String)

            let widened = try await harness.token(
                [("grant_type", "refresh_token"), ("refresh_token", third), ("scope", "read admin")]
            )
            #expect(widened.error == "invalid_scope")

            let statistics = harness.provider.statistics()
            #expect(statistics.accessTokensIssued == 2)
            #expect(statistics.refreshTokensIssued == 3)
            #expect(statistics[endpoint: "primary"].invalidGrant == 1)
        }
    }

    @Test("without rotation the same refresh token keeps working and none is returned")
    func noRotation() async throws {
        try await withProvider(try testConfiguration(rotate: false)) { harness in
            let token = harness.provider.issueRefreshToken(clientID: testClient.id)
            for _ in 0..<2 {
                let reply = try await harness.token([("grant_type", "refresh_token"), ("refresh_token", token)])
                #expect(reply.status == 200)
                #expect(reply.json?["refresh_token"] == nil)
            }
        }
    }

    @Test("refresh tokens: another client's, a revoked one, a missing parameter")
    func refreshErrors() async throws {
        try await withProvider { harness in
            let others = harness.provider.issueRefreshToken(clientID: otherClient.id)
            let stolen = try await harness.token([("grant_type", "refresh_token"), ("refresh_token", others)])
            #expect(stolen.status == 400)
            #expect(stolen.error == "invalid_grant")

            let revoked = harness.provider.issueRefreshToken(clientID: testClient.id)
            harness.provider.revokeAllRefreshTokens()
            let afterRevoke = try await harness.token([("grant_type", "refresh_token"), ("refresh_token", revoked)])
            #expect(afterRevoke.error == "invalid_grant")

            let missing = try await harness.token([("grant_type", "refresh_token")])
            #expect(missing.status == 400)
            #expect(missing.error == "invalid_request")
        }
    }

    @Test("the client authenticates by HTTP Basic or in the body", arguments: ClientAuthentication.allCases)
    func authentication(method: ClientAuthentication) async throws {
        try await withProvider { harness in
            let reply = try await harness.token([("grant_type", "client_credentials")], auth: method)
            #expect(reply.status == 200)
            #expect(reply.json?["access_token"] is String)
        }
    }

    @Test("authenticating by Basic and in the body at once is invalid_request")
    func bothAuthentications() async throws {
        try await withProvider { harness in
            let reply = try await harness.token(
                [
                    ("grant_type", "client_credentials"),
                    ("client_id", testClient.id),
                    ("client_secret", testClient.secret),
                ],
                auth: .basic
            )
            #expect(reply.status == 400)
            #expect(reply.error == "invalid_request")
        }
    }

    @Test("a wrong secret is invalid_client: 401 with a challenge for Basic, 400 for the body")
    func wrongSecret() async throws {
        try await withProvider { harness in
            let impostor = DemoClient(id: testClient.id, secret: "wrong-secret-XYZ")
            let basic = try await harness.token([("grant_type", "client_credentials")], auth: .basic, client: impostor)
            #expect(basic.status == 401)
            #expect(basic.error == "invalid_client")
            #expect(basic.header("WWW-Authenticate")?.hasPrefix("Basic") == true)
            #expect(!basic.text.contains("wrong-secret-XYZ"))

            let body = try await harness.token([("grant_type", "client_credentials")], auth: .body, client: impostor)
            #expect(body.status == 400)
            #expect(body.error == "invalid_client")
            #expect(body.header("WWW-Authenticate") == nil)
            #expect(!body.text.contains("wrong-secret-XYZ"))

            let unknown = DemoClient(id: "nobody", secret: testClient.secret)
            let stranger = try await harness.token([("grant_type", "client_credentials")], client: unknown)
            #expect(stranger.status == 401)

            let anonymous = try await harness.token([("grant_type", "client_credentials")], auth: nil)
            #expect(anonymous.status == 401)
            #expect(anonymous.error == "invalid_client")
            #expect(harness.provider.statistics()[endpoint: "primary"].errorStatus == 4)
        }
    }

    @Test("an unknown grant type is unsupported_grant_type; a missing one invalid_request")
    func unsupportedGrant() async throws {
        try await withProvider { harness in
            let password = try await harness.token([("grant_type", "password"), ("username", "u"), ("password", "p")])
            #expect(password.status == 400)
            #expect(password.error == "unsupported_grant_type")
            let missing = try await harness.token([("scope", "read")])
            #expect(missing.error == "invalid_request")
        }
    }

    @Test("GET is 405 with Allow: POST")
    func getIsNotAllowed() async throws {
        try await withProvider { harness in
            let reply = try await harness.token([], auth: nil, method: .GET, contentType: nil)
            #expect(reply.status == 405)
            #expect(reply.header("Allow") == "POST")
        }
    }

    @Test("a body that is not form-urlencoded is invalid_request")
    func wrongContentType() async throws {
        try await withProvider { harness in
            let json = try await harness.token([("grant_type", "client_credentials")], contentType: "application/json")
            #expect(json.status == 400)
            #expect(json.error == "invalid_request")
            let repeated = try await harness.token(
                [("grant_type", "client_credentials"), ("grant_type", "refresh_token")]
            )
            #expect(repeated.error == "invalid_request")
        }
    }

    @Test("another path is 404 and is not counted")
    func otherPath() async throws {
        try await withProvider { harness in
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(harness.primary.port)/elsewhere")
            request.method = .POST
            let response = try await harness.client.execute(request, timeout: .seconds(5))
            #expect(response.status.code == 404)
            #expect(harness.provider.statistics().total.requests == 0)
        }
    }

    @Test("both endpoints share one token state")
    func sharedState() async throws {
        try await withProvider { harness in
            let token = harness.provider.issueRefreshToken(clientID: testClient.id)
            let onPrimary = try await harness.token([("grant_type", "refresh_token"), ("refresh_token", token)])
            let next = try #require(onPrimary.json?["refresh_token"] as? String)
            let onSecondary = try await harness.token(
                [("grant_type", "refresh_token"), ("refresh_token", next)],
                to: harness.secondary
            )
            #expect(onSecondary.status == 200)
            let old = try await harness.token(
                [("grant_type", "refresh_token"), ("refresh_token", token)],
                to: harness.secondary
            )
            #expect(old.error == "invalid_grant")
        }
    }

    @Test("no secret or token appears in the provider's logs")
    func logsHoldNoSecrets() async throws {
        let leaked = try await withProvider { harness in
            let first = harness.provider.issueRefreshToken(clientID: testClient.id)
            let reply = try await harness.token([("grant_type", "refresh_token"), ("refresh_token", first)])
            let second = try #require(reply.json?["refresh_token"] as? String)
            let access = try #require(reply.json?["access_token"] as? String)
            _ = try await harness.token([("grant_type", "client_credentials")], auth: .body)
            _ = try await harness.token(
                [("grant_type", "client_credentials")],
                client: DemoClient(id: testClient.id, secret: "bad-secret-123")
            )
            let secrets = [first, second, access, testClient.secret, "bad-secret-123", formComponent(testClient.secret)]
            let logs = harness.logs.lines
            #expect(logs.contains { $0.contains("token request") })
            return logs.filter { line in secrets.contains { line.contains($0) } }
        }
        #expect(leaked.isEmpty)
    }
}
