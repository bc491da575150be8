import OAuthTopConfig
import Primitives
import Testing
import TokenManager

@Suite("oauthtop.yaml: token validation")
struct ValidationConfigTests {
    /// One provider; cases give its `validation:` block (indented under it, from line 7 on).
    static func yaml(_ validation: String) -> String {
        """
        providers:
          - name: idp
            grant: client_credentials
            token_endpoints: [https://idp.test/token]
            client_id: c
            client_secret: {env: SECRET}
        \(validation)
        """
    }

    static let environment = ["SECRET": "s-1", "HMAC": "hmac-shared-secret-of-32-bytes-or-more!", "SHORT": "short-hmac"]

    @Test("a full validation block parses; defaults where keys are absent")
    func full() throws {
        let text = Self.yaml("""
                validation:
                  format: jwt
                  leeway: 10s
                  issuer: https://idp.test
                  audience: [api, other]
                  signature:
                    jwks_url: https://idp.test/jwks
                    algorithms: [RS256, ES256]
                    refetch_interval: 2m
                  introspection:
                    min_interval: 5m
            """)
        let outcome = parseConfig(text, environment: Self.environment)
        #expect(outcome.diagnostics == [])
        let validation = try #require(try outcome.get().providers.first?.validation)
        #expect(validation.format == .jwt)
        #expect(validation.leeway == .seconds(10))
        #expect(validation.checkTime)
        #expect(validation.issuer == "https://idp.test")
        #expect(validation.audiences == ["api", "other"])
        #expect(validation.signature?.jwksURL == "https://idp.test/jwks")
        #expect(validation.signature?.algorithms == ["RS256", "ES256"])
        #expect(validation.signature?.minimumRefetchInterval == .seconds(120))
        #expect(validation.probe?.target == .introspection(url: nil))
        #expect(validation.probe?.minimumInterval == .seconds(300))

        let minimal = try #require(try parseConfig(Self.yaml("    validation: {}")).get().providers.first?.validation)
        #expect(minimal.format == .auto)
        #expect(minimal.leeway == .seconds(30))
        #expect(minimal.signature == nil && minimal.probe == nil)
        #expect(try parseConfig(Self.yaml("")).get().providers.first?.validation == nil)
    }

    @Test("an HS256 secret is read from env or file and never shown")
    func hs256() throws {
        let text = Self.yaml("""
                validation:
                  signature: {hs256_secret: {env: HMAC}}
                  probe: {url: https://api.test/me}
            """)
        let validation = try #require(try parseConfig(text, environment: Self.environment).get().providers.first?.validation)
        #expect(validation.signature?.sharedSecret == Secret(Self.environment["HMAC"]!))
        #expect(validation.signature?.algorithms.isEmpty == true, "only HS256 with only a secret")
        #expect(validation.probe?.target == .url("https://api.test/me"))
    }

    struct BadCase: Sendable, CustomTestStringConvertible {
        let block: String
        let position: String
        let message: String
        var testDescription: String { self.message }
        init(_ block: String, _ position: String, _ message: String) {
            self.block = block
            self.position = position
            self.message = message
        }
    }

    static let badCases: [BadCase] = [
        BadCase(
            "    validation: {leway: 5s}", "7:18",
            "unknown key 'leway' in 'validation'; did you mean 'leeway'? (allowed: format, time, leeway, issuer, "
                + "audience, signature, introspection, probe)"
        ),
        BadCase("    validation: {format: jwe}", "7:26", "format: expected one of auto | jwt | opaque, found 'jwe'; did you mean 'jwt'?"),
        BadCase("    validation: {leeway: soon}", "7:26", "leeway: expected a duration like 500ms, 15s, 2m, 1h, found 'soon'"),
        BadCase("    validation: {leeway: 2h}", "7:26", "leeway: a leeway over 1h makes the time checks meaningless, found '2h'"),
        BadCase(
            "    validation: {signature: {algorithms: [none]}, issuer: https://i.test}", "7:42",
            "algorithms: unsupported algorithm 'none' (supported: ES256, EdDSA, RS256, HS256); unsigned tokens are never accepted"
        ),
        BadCase(
            "    validation: {signature: {algorithms: [HS256]}}", "7:42",
            "algorithms: HS256 needs 'hs256_secret' ({env: NAME} or {file: PATH})"
        ),
        BadCase(
            "    validation: {signature: {hs256_secret: inline-hmac-secret-value-0123456789, jwks_url: https://x.test/j}}", "7:44",
            "hs256_secret: secrets must not be written in the file; give them as {env: NAME} or {file: PATH} (the inline value is not shown)"
        ),
        BadCase(
            "    validation: {signature: {hs256_secret: {env: SHORT}}}", "7:44",
            "hs256_secret: an HS256 secret needs at least 32 bytes (RFC 7518 §3.2), this one has 10"
        ),
        BadCase(
            "    validation: {signature: {}}", "7:29",
            "signature: needs 'jwks_url', or 'issuer' in 'validation' to discover the keys from (RFC 8414 / OpenID Connect)"
        ),
        BadCase(
            "    validation: {introspection: {}}", "7:33",
            "introspection: needs 'url', or 'issuer' in 'validation' to discover the introspection endpoint from"
        ),
        BadCase(
            "    validation: {introspection: {url: https://i.test/x}, probe: {url: https://i.test/y}}", "7:65",
            "probe: give either 'introspection' or 'probe', not both: one live probe per provider"
        ),
        BadCase("    validation: {probe: {min_interval: 1m}}", "7:25", "missing required key 'url' in 'probe'"),
        BadCase("    validation: {probe: {url: ftp://x}}", "7:31", "url: expected an http/https URL like https://idp.example.com/oauth/token, found 'ftp://x'"),
        BadCase("    validation: [jwt]", "7:17", "validation: expected a mapping with keys format, time, leeway, issuer, audience, signature, introspection, probe, found a list"),
    ]

    @Test("mistakes are reported where they are, with a suggestion when one fits", arguments: badCases)
    func bad(_ bad: BadCase) throws {
        let text = Self.yaml(bad.block)
        let outcome = parseConfig(text, environment: Self.environment)
        let diagnostic = try #require(outcome.diagnostics.first, "no diagnostic for:\n\(text)")
        #expect(diagnostic.message == bad.message)
        #expect(diagnostic.position == bad.position)
        #expect(outcome.value == nil)
        for diagnostic in outcome.diagnostics {
            #expect(!diagnostic.description.contains("inline-hmac-secret-value"))
            #expect(!diagnostic.description.contains("short-hmac"))
        }
    }

    @Test("hostile values never crash the parser", arguments: [
        "    validation: {audience: {a: b}}",
        "    validation: {signature: {algorithms: {x: 1}}}",
        "    validation: {signature: [1, 2]}",
        "    validation: {issuer: [a]}",
        "    validation: {time: maybe}",
        "    validation: {leeway: -5s}",
        "    validation: {introspection: null}",
        "    validation: {signature: {refetch_interval: 0s, jwks_url: https://x.test/j}}",
        "    validation: {format: [auto]}",
        "    validation: {signature: {hs256_secret: {env: MISSING}}}",
        "    validation: {signature: {hs256_secret: {file: /nonexistent}}}",
    ])
    func hostile(block: String) {
        let outcome = parseConfig(Self.yaml(block), environment: Self.environment)
        #expect(!outcome.diagnostics.isEmpty)
        #expect(outcome.value == nil)
    }
}
