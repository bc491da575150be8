import DemoIdentityProvider
import Foundation
import JWTKit
import Primitives
import Synchronization
import Testing
@testable import TokenManager

/// 2026-01-01T00:00:00Z in Unix seconds: the tests' "now".
let testNow: Double = 1_767_225_600

/// The validator on its own: each check, against keys and documents served from memory. Time is the
/// `now` each call passes (the provider's time), so no test waits.
@Suite("Token validation: checks")
struct TokenValidatorTests {
    static let now: Double = testNow
    static var nowNanos: Int64 { Int64(now * 1e9) }

    static func validator(
        _ validation: TokenValidation,
        transport: any TokenEndpointTransport = DocumentTransport(),
        clientAuthentication: ClientAuthentication = .basic
    ) -> TokenValidator {
        let configuration = ProviderConfiguration(
            name: "idp", grant: .clientCredentials, tokenEndpoints: ["https://idp.test/token"], clientID: "client",
            clientSecret: Secret("client-secret"), clientAuthentication: clientAuthentication, validation: validation
        )
        return TokenValidator(configuration: configuration, validation: validation, transport: transport)
    }

    static func claims(
        exp: Double? = now + 300, nbf: Double? = nil, iat: Double? = now, iss: String? = ValidationKeys.issuer,
        aud: [String]? = nil
    ) -> TestClaims {
        TestClaims(exp: exp, nbf: nbf, iat: iat, iss: iss, aud: aud)
    }

    /// The check a validation failed with, or `nil` when it passed.
    static func check(_ validator: TokenValidator, _ token: String, now: Int64 = nowNanos) async -> String? {
        do {
            _ = try await validator.validate(Secret(token), now: now)
            return nil
        } catch {
            #expect(!error.description.contains(token), "a failure never quotes the token")
            return error.check.rawValue
        }
    }

    static func jwksValidation(issuer: String? = nil, audiences: [String] = []) -> TokenValidation {
        TokenValidation(
            signature: SignatureCheck(jwksURL: ValidationKeys.jwksURL), issuer: issuer, audiences: audiences
        )
    }

    // MARK: Signature

    @Test("RS256, ES256 and EdDSA tokens verify against the JWKS; the set is fetched once")
    func asymmetric() async throws {
        let keys = try await ValidationKeys()
        let transport = DocumentTransport([ValidationKeys.jwksURL: try keys.jwks()])
        let validator = Self.validator(Self.jwksValidation(), transport: transport)
        #expect(await Self.check(validator, try await keys.rs256(Self.claims())) == nil)
        #expect(await Self.check(validator, try await keys.es256(Self.claims())) == nil)
        #expect(await Self.check(validator, try await keys.edDSA(Self.claims())) == nil)
        #expect(transport.count(ValidationKeys.jwksURL) == 1, "keys are cached")
    }

    @Test("a changed signature is refused with check 'signature'")
    func badSignature() async throws {
        let keys = try await ValidationKeys()
        let validator = Self.validator(Self.jwksValidation(), transport: DocumentTransport([ValidationKeys.jwksURL: try keys.jwks()]))
        let token = try await keys.rs256(Self.claims())
        let parts = token.split(separator: ".")
        let signature = parts[2]
        let flipped = (signature.first == "A" ? "B" : "A") + signature.dropFirst()
        #expect(await Self.check(validator, "\(parts[0]).\(parts[1]).\(flipped)") == "signature")
        // Another EC key's signature under the EC key's kid.
        let other = ES256PrivateKey()
        let otherKeys = JWTKeyCollection()
        await otherKeys.add(ecdsa: other, kid: "ec-key")
        #expect(await Self.check(validator, try await otherKeys.sign(Self.claims(), kid: "ec-key")) == "signature")
    }

    @Test("alg none is refused, even with a JWKS and without a signature part")
    func algNone() async throws {
        let keys = try await ValidationKeys()
        let validator = Self.validator(Self.jwksValidation(), transport: DocumentTransport([ValidationKeys.jwksURL: try keys.jwks()]))
        let payload = #"{"exp":\#(Self.now + 300),"iss":"\#(ValidationKeys.issuer)"}"#
        #expect(await Self.check(validator, ValidationKeys.compact(header: #"{"alg":"none"}"#, payload: payload)) == "algorithm")
        #expect(await Self.check(validator, ValidationKeys.compact(header: #"{"alg":"NONE","kid":"demo-key"}"#, payload: payload)) == "algorithm")
    }

    @Test("algorithm confusion: an HS256 token MACed with the RSA public key is refused")
    func algorithmConfusion() async throws {
        let keys = try await ValidationKeys()
        let validator = Self.validator(Self.jwksValidation(), transport: DocumentTransport([ValidationKeys.jwksURL: try keys.jwks()]))
        let publicPEM = try #require(keys.rsa.publicKeyPEM)
        let forged = try await keys.hs256(Self.claims(), secret: publicPEM, kid: DemoSigning.keyID)
        #expect(await Self.check(validator, forged) == "algorithm")
        // An RS256 header on the EC key's kid: the key does not fit the algorithm.
        let onECKey = try await keys.rs256(Self.claims(), kid: "ec-key")
        #expect(await Self.check(validator, onECKey) == "algorithm")
    }

    @Test("HS256 with a shared secret verifies; another secret is a bad signature")
    func hs256() async throws {
        let keys = try await ValidationKeys()
        let validation = TokenValidation(signature: SignatureCheck(algorithms: [], sharedSecret: Secret(ValidationKeys.sharedSecret)))
        let transport = DocumentTransport()
        let validator = Self.validator(validation, transport: transport)
        #expect(await Self.check(validator, try await keys.hs256(Self.claims())) == nil)
        let wrong = try await keys.hs256(Self.claims(), secret: "another-shared-secret-of-enough-length-42")
        #expect(await Self.check(validator, wrong) == "signature")
        #expect(await Self.check(validator, try await keys.rs256(Self.claims())) == "algorithm", "RS256 is not allowed here")
        #expect(transport.received.isEmpty, "HS256 needs no request")
    }

    @Test("an unknown kid refetches the JWKS at most once a minute; a rotated key is found after the refetch")
    func unknownKidRefetch() async throws {
        let keys = try await ValidationKeys()
        let transport = DocumentTransport([ValidationKeys.jwksURL: try keys.jwks()])
        let validator = Self.validator(Self.jwksValidation(), transport: transport)
        let start = Self.nowNanos
        #expect(await Self.check(validator, try await keys.rs256(Self.claims())) == nil)
        #expect(transport.count(ValidationKeys.jwksURL) == 1)

        // The provider rotates: tokens now carry `rotated` (same key material, a new kid).
        let rotated = try await keys.rs256(Self.claims(), kid: "rotated")
        // Inside the first minute: no refetch, refused.
        #expect(await Self.check(validator, rotated, now: start + 10_000_000_000) == "unknown_kid")
        #expect(await Self.check(validator, rotated, now: start + 59_000_000_000) == "unknown_kid")
        #expect(transport.count(ValidationKeys.jwksURL) == 1, "no refetch within a minute of the last fetch")

        transport.set(ValidationKeys.jwksURL, try keys.jwks(rsaKeyID: "rotated"))
        #expect(await Self.check(validator, rotated, now: start + 61_000_000_000) == nil, "found after one refetch")
        #expect(transport.count(ValidationKeys.jwksURL) == 2)

        // A made-up kid right after: refused without a request.
        let madeUp = try await keys.rs256(Self.claims(), kid: "made-up")
        for offset in [62, 70, 100] {
            #expect(await Self.check(validator, madeUp, now: start + Int64(offset) * 1_000_000_000) == "unknown_kid")
        }
        #expect(transport.count(ValidationKeys.jwksURL) == 2)
        #expect(await Self.check(validator, madeUp, now: start + 122_000_000_000) == "unknown_kid")
        #expect(transport.count(ValidationKeys.jwksURL) == 3, "one refetch per minute at most")
    }

    @Test("a JWKS whose keys carry no kid is matched by algorithm")
    func keysWithoutKeyID() async throws {
        let keys = try await ValidationKeys()
        var jwk = try #require(keys.rsa.publicJWK(keyID: "unused"))
        jwk["kid"] = nil
        let data = try JSONSerialization.data(withJSONObject: ["keys": [jwk]])
        let transport = DocumentTransport([ValidationKeys.jwksURL: String(decoding: data, as: UTF8.self)])
        let validator = Self.validator(Self.jwksValidation(), transport: transport)
        #expect(await Self.check(validator, try await keys.rs256(Self.claims())) == nil)
        #expect(await Self.check(validator, try await keys.es256(Self.claims())) == "unknown_kid")
    }

    @Test("an unreachable JWKS refuses tokens with 'keys_unavailable' and is not asked again within the interval")
    func jwksUnavailable() async throws {
        let keys = try await ValidationKeys()
        let transport = DocumentTransport()
        let validator = Self.validator(Self.jwksValidation(), transport: transport)
        let token = try await keys.rs256(Self.claims())
        #expect(await Self.check(validator, token) == "keys_unavailable")
        #expect(await Self.check(validator, token, now: Self.nowNanos + 1_000_000_000) == "keys_unavailable")
        #expect(transport.count(ValidationKeys.jwksURL) == 1)
        transport.set(ValidationKeys.jwksURL, try keys.jwks())
        #expect(await Self.check(validator, token, now: Self.nowNanos + 61_000_000_000) == nil)
    }

    @Test("the JWKS URL is discovered from RFC 8414 metadata, then OpenID Connect; a metadata of another issuer is refused")
    func discovery() async throws {
        let keys = try await ValidationKeys()
        let issuer = "https://idp.test/tenant"
        let transport = DocumentTransport([
            "https://idp.test/tenant/.well-known/openid-configuration":
                #"{"issuer":"https://idp.test/tenant","jwks_uri":"https://idp.test/keys"}"#,
            "https://idp.test/keys": try keys.jwks(),
        ])
        let validation = TokenValidation(signature: SignatureCheck(), issuer: issuer)
        let validator = Self.validator(validation, transport: transport)
        #expect(await Self.check(validator, try await keys.rs256(Self.claims(iss: issuer))) == nil)
        #expect(transport.count("https://idp.test/.well-known/oauth-authorization-server/tenant") == 1, "RFC 8414 first")

        let impostor = DocumentTransport([
            "https://idp.test/.well-known/oauth-authorization-server/tenant":
                #"{"issuer":"https://evil.test","jwks_uri":"https://evil.test/keys"}"#,
        ])
        let refused = Self.validator(validation, transport: impostor)
        #expect(await Self.check(refused, try await keys.rs256(Self.claims(iss: issuer))) == "keys_unavailable")
        #expect(impostor.count("https://evil.test/keys") == 0)
    }

    // MARK: Claims

    @Test("exp, nbf and iat are checked with the leeway", arguments: [
        (Optional(testNow - 29), Optional<Double>.none, Optional(testNow - 100), Optional<String>.none),
        (testNow - 31, nil, testNow - 100, "expired"),
        (testNow + 300, testNow + 29, testNow, nil),
        (testNow + 300, testNow + 31, testNow, "not_yet_valid"),
        (testNow + 300, nil, testNow + 31, "not_yet_valid"),
        (nil, nil, nil, nil),
    ])
    func time(exp: Double?, nbf: Double?, iat: Double?, expected: String?) async throws {
        let keys = try await ValidationKeys()
        let validator = Self.validator(TokenValidation(leeway: .seconds(30)))
        let token = try await keys.hs256(TestClaims(exp: exp, nbf: nbf, iat: iat, iss: nil, aud: nil))
        #expect(await Self.check(validator, token) == expected)
    }

    @Test("the leeway is configurable and time checks can be turned off")
    func leewayConfigurable() async throws {
        let keys = try await ValidationKeys()
        let token = try await keys.hs256(Self.claims(exp: Self.now - 100))
        #expect(await Self.check(Self.validator(TokenValidation(leeway: .seconds(120))), token) == nil)
        #expect(await Self.check(Self.validator(TokenValidation(leeway: .seconds(60))), token) == "expired")
        #expect(await Self.check(Self.validator(TokenValidation(checkTime: false)), token) == nil)
    }

    @Test("iss must be the configured issuer; aud (string or array) must name a configured audience")
    func issuerAndAudience() async throws {
        let keys = try await ValidationKeys()
        let validation = TokenValidation(issuer: ValidationKeys.issuer, audiences: ["api", "other-api"])
        let validator = Self.validator(validation)
        #expect(await Self.check(validator, try await keys.hs256(Self.claims(aud: ["api"]))) == nil)
        #expect(await Self.check(validator, try await keys.hs256(Self.claims(aud: ["x", "other-api"]))) == nil)
        #expect(await Self.check(validator, try await keys.hs256(Self.claims(aud: ["x"]))) == "audience")
        #expect(await Self.check(validator, try await keys.hs256(Self.claims(aud: nil))) == "audience")
        #expect(await Self.check(validator, try await keys.hs256(Self.claims(iss: "https://evil.test", aud: ["api"]))) == "issuer")
        #expect(await Self.check(validator, try await keys.hs256(Self.claims(iss: nil, aud: ["api"]))) == "issuer")
        // aud as a single string (RFC 7519 §4.1.3).
        let single = ValidationKeys.compact(
            header: #"{"alg":"HS256"}"#, payload: #"{"iss":"\#(ValidationKeys.issuer)","aud":"api"}"#, signature: "c2ln"
        )
        #expect(await Self.check(validator, single) == nil)
    }

    // MARK: Structure and opaque tokens

    @Test("an opaque token is accepted as opaque unless a JWT is required")
    func opaque() async throws {
        let token = "opaque-token-0123456789abcdef"
        #expect(await Self.check(Self.validator(TokenValidation()), token) == nil)
        #expect(await Self.check(Self.validator(TokenValidation(format: .opaque)), token) == nil)
        #expect(await Self.check(Self.validator(TokenValidation(format: .jwt)), token) == "structure")
        #expect(await Self.check(Self.validator(Self.jwksValidation()), token) == "structure",
            "an opaque token cannot prove a signature")
        // A JWT-shaped token is not read as one when the format says opaque.
        #expect(await Self.check(Self.validator(TokenValidation(format: .opaque)), "eyJ.broken.") == nil)
    }

    @Test("broken JWTs are refused with check 'structure'", arguments: [
        "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9",
        "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.c2ln.more",
        "eyJhbGciOiJIUzI1NiJ9.%%eyJleHAiOjF9.c2ln",
        "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9=.c2ln",
        "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.c2/n",
        "eyJhbGciOiJIUzI1NiJ9..c2ln",
        "eyJub3RhbGciOjF9.eyJleHAiOjF9.c2ln",
        "eyJhbGciOiJIUzI1NiJ9.W10.c2ln",
        "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOiJ0b21vcnJvdyJ9.c2ln",
        "eyJhbGciOiJIUzI1NiJ9.eyJhdWQiOlsxXX0.c2ln",
        "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.c",
    ])
    func structure(token: String) async {
        #expect(await Self.check(Self.validator(TokenValidation(format: .jwt)), token) == "structure")
    }

    // MARK: Live probe

    @Test("introspection active:false refuses the token with 'inactive'; the client authenticates as at the token endpoint")
    func introspectionInactive() async throws {
        let introspection = "https://idp.test/introspect"
        let active = Mutex(false)
        let transport = DocumentTransport { request in
            (200, active.withLock { $0 } ? #"{"active":true,"iss":"https://idp.test"}"# : #"{"active":false}"#)
        }
        let validation = TokenValidation(probe: LiveProbe(target: .introspection(url: introspection), minimumInterval: .seconds(60)))
        let validator = Self.validator(validation, transport: transport)
        #expect(await Self.check(validator, "opaque-1") == "inactive")
        let sent = try #require(transport.received.first)
        #expect(sent.method == "POST")
        #expect(sent.headers.contains { $0.name == "Authorization" && $0.value.hasPrefix("Basic ") })
        #expect(String(decoding: sent.body, as: UTF8.self).contains("token_type_hint=access_token"))
        active.withLock { $0 = true }
        #expect(await Self.check(validator, "opaque-2", now: Self.nowNanos + 60_000_000_000) == nil)
        #expect(await Self.check(Self.validator(validation, transport: DocumentTransport { _ in (200, #"{"active":"yes"}"#) }), "opaque-3") == "probe")
        #expect(await Self.check(Self.validator(validation, transport: DocumentTransport { _ in (500, "") }), "opaque-4") == "probe")
    }

    @Test("probes are rate-limited: each token once, and at most one per interval per provider")
    func probeRateLimit() async throws {
        let probeURL = "https://api.test/whoami"
        let transport = DocumentTransport([probeURL: "{}"])
        let validator = Self.validator(
            TokenValidation(probe: LiveProbe(target: .url(probeURL), minimumInterval: .seconds(60))), transport: transport
        )
        let start = Self.nowNanos
        let first = try await validator.validate(Secret("token-a"), now: start)
        #expect(first.probe == .passed)
        #expect(try await validator.validate(Secret("token-b"), now: start + 30_000_000_000).probe == .skipped)
        #expect(try await validator.validate(Secret("token-a"), now: start + 90_000_000_000).probe == .skipped,
            "a token is probed once")
        #expect(try await validator.validate(Secret("token-c"), now: start + 91_000_000_000).probe == .passed)
        #expect(transport.count(probeURL) == 2)
        let sent = transport.received.map { $0.headers.first { $0.name == "Authorization" }?.value }
        #expect(sent == ["Bearer token-a", "Bearer token-c"])
        transport.set(probeURL, "no", status: 401)
        #expect(await Self.check(validator, "token-d", now: start + 200_000_000_000) == "probe")
    }
}
