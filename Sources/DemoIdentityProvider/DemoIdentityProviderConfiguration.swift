import Primitives

/// How the demo identity provider listens, whom it knows and what tokens it issues.
public struct DemoIdentityProviderConfiguration: Sendable {
    /// The address every endpoint binds. Loopback by default; the provider is not meant for a network.
    public var host: String
    /// The token endpoints, each its own listener. All share one token state, as an IdP's replicas would.
    public var endpoints: [DemoEndpointSpec]
    /// The clients that may authenticate.
    public var clients: [DemoClient]
    /// The lifetime of issued access tokens: their `exp` claim and `expires_in` (rounded to whole seconds, at least 1).
    public var tokenLifetime: Duration
    /// How access tokens (JWTs) are signed.
    public var signing: DemoSigning
    /// The `iss` claim of issued access tokens.
    public var issuer: String
    /// Added to every response on the token path, before any fault's own delay.
    public var baseLatency: Duration
    /// Whether a refresh grant issues a new refresh token and retires the one presented (RFC 6749 §6).
    public var rotateRefreshTokens: Bool
    /// How long a rotated-away refresh token keeps working, as real providers allow (Auth0's reuse
    /// interval, Okta's grace period) so a client whose response was lost can retry. Zero (the
    /// default) retires it at once.
    public var refreshTokenReuseInterval: Duration = .zero
    /// Whether the provider keeps every access and refresh token it issues, for
    /// ``DemoIdentityProvider/issuedTokens()``: a test that looks for tokens where they must not be (a
    /// shared store, a log) needs the full list. Off by default: the demo keeps no history of secrets.
    public var recordsIssuedTokens = false
    /// The token endpoint's path; other paths answer 404.
    public var path: String
    /// The protected resource's path, served on every endpoint's listener: `GET` with a bearer token
    /// the provider issued answers 200, anything else 401 (RFC 6750). Scheduled faults do not apply to it.
    public var resourcePath = "/api/resource"
    /// The `aud` claim of issued access tokens; `nil` (the default) issues tokens without one.
    public var audience: String?
    /// The JWKS document's path (RFC 7517), served on every listener: the RS256 public keys (none for HS256).
    /// The metadata documents are served at `/.well-known/oauth-authorization-server` (RFC 8414) and
    /// `/.well-known/openid-configuration` (OpenID Connect Discovery), naming ``issuer``.
    public var jwksPath = "/.well-known/jwks.json"
    /// The RFC 7662 introspection endpoint's path, served on every listener; clients authenticate as at the
    /// token endpoint.
    public var introspectionPath = "/oauth/introspect"
    /// The largest request body accepted; larger bodies get 413.
    public var maximumBodySize: Int
    /// The protected API (`/api/v1/...`, served on every listener): its routes, quota and limits. Its faults
    /// are the schedule's `revoke_token`, `api_rate_limit` and `api_error`.
    public var api = DemoAPIConfiguration()

    /// Creates a configuration.
    ///
    /// - Parameters:
    ///   - host: The address to bind, `127.0.0.1` by default.
    ///   - endpoints: The endpoints; by default `primary` and `secondary`, each on a free port.
    ///   - clients: The known clients; by default one, `demo-client` with secret `demo-secret`.
    ///   - tokenLifetime: The access tokens' lifetime, 60 seconds by default.
    ///   - signing: HS256 with a random 32-byte key by default.
    ///   - issuer: The `iss` claim.
    ///   - baseLatency: Latency added to every response, none by default.
    ///   - rotateRefreshTokens: Whether refresh tokens rotate, `true` by default.
    ///   - path: The token endpoint's path, `/oauth/token` by default.
    ///   - maximumBodySize: The largest accepted request body, 64 KiB by default.
    public init(
        host: String = "127.0.0.1",
        endpoints: [DemoEndpointSpec] = [DemoEndpointSpec(name: "primary"), DemoEndpointSpec(name: "secondary")],
        clients: [DemoClient] = [DemoClient(id: "demo-client", secret: "demo-secret")],
        tokenLifetime: Duration = .seconds(60),
        signing: DemoSigning = .hs256RandomKey(),
        issuer: String = "https://demo-idp.oauthtop.invalid",
        baseLatency: Duration = .zero,
        rotateRefreshTokens: Bool = true,
        path: String = "/oauth/token",
        maximumBodySize: Int = 64 * 1024
    ) {
        self.host = host
        self.endpoints = endpoints
        self.clients = clients
        self.tokenLifetime = tokenLifetime
        self.signing = signing
        self.issuer = issuer
        self.baseLatency = baseLatency
        self.rotateRefreshTokens = rotateRefreshTokens
        self.path = path
        self.maximumBodySize = maximumBodySize
    }

    /// Checks what `run()` would otherwise fail on later and less clearly.
    ///
    /// - Throws: ``DemoIdentityProviderError/invalidConfiguration(_:)`` naming the field at fault.
    public func validate() throws {
        if self.host.isEmpty {
            throw DemoIdentityProviderError.invalidConfiguration("host: must not be empty")
        }
        if self.endpoints.isEmpty {
            throw DemoIdentityProviderError.invalidConfiguration("endpoints: at least one endpoint is needed")
        }
        var names: Set<String> = []
        for (index, endpoint) in self.endpoints.enumerated() {
            if endpoint.name.isEmpty {
                throw DemoIdentityProviderError.invalidConfiguration("endpoints[\(index)].name: must not be empty")
            }
            if !names.insert(endpoint.name).inserted {
                throw DemoIdentityProviderError.invalidConfiguration(
                    "endpoints[\(index)].name: '\(endpoint.name)' is used twice"
                )
            }
            if !(0...65_535).contains(endpoint.port) {
                throw DemoIdentityProviderError.invalidConfiguration(
                    "endpoints[\(index)].port: \(endpoint.port) is not a TCP port (0 picks a free one)"
                )
            }
        }
        var clientIDs: Set<String> = []
        for (index, client) in self.clients.enumerated() where !clientIDs.insert(client.id).inserted {
            throw DemoIdentityProviderError.invalidConfiguration("clients[\(index)].id: '\(client.id)' is used twice")
        }
        if self.tokenLifetime <= .zero {
            throw DemoIdentityProviderError.invalidConfiguration("tokenLifetime: must be positive")
        }
        if self.baseLatency < .zero {
            throw DemoIdentityProviderError.invalidConfiguration("baseLatency: must not be negative")
        }
        if !self.path.hasPrefix("/") {
            throw DemoIdentityProviderError.invalidConfiguration("path: '\(self.path)' must start with '/'")
        }
        if self.maximumBodySize < 1 {
            throw DemoIdentityProviderError.invalidConfiguration("maximumBodySize: must be positive")
        }
        try self.api.validate(field: "api", tokenPath: self.path)
    }
}

/// One token endpoint to listen on.
public struct DemoEndpointSpec: Sendable, Hashable {
    /// The name faults and statistics refer to (`primary`, `secondary`...).
    public var name: String
    /// The TCP port; 0 picks a free one on first start, which is then kept across outages.
    public var port: Int

    /// Creates an endpoint description.
    ///
    /// - Parameters:
    ///   - name: The endpoint's name.
    ///   - port: Its port, 0 (a free port) by default.
    public init(name: String, port: Int = 0) {
        self.name = name
        self.port = port
    }
}

/// A confidential client registered with the provider (RFC 6749 §2.3.1).
public struct DemoClient: Sendable, Hashable, CustomStringConvertible {
    /// The client identifier.
    public var id: String
    /// The client secret. Never logged; `description` shows only a fingerprint.
    public var secret: String

    /// Creates a client registration.
    public init(id: String, secret: String) {
        self.id = id
        self.secret = secret
    }

    public var description: String {
        "DemoClient(id: \(self.id), secret: sha256:\(Secret.fingerprint(of: self.secret)))"
    }
}
