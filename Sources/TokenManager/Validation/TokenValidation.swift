import Primitives

/// How a provider's tokens are checked before they are handed out (``ProviderConfiguration/validation``).
///
/// Every step is optional and runs in this order, the first failure deciding: structure, time
/// (`exp`, `nbf`, `iat` with ``leeway``), `alg` and signature (``signature``), `iss` and `aud`, then the
/// live probe (``probe``). An opaque token (not a JWT) passes the JWT steps when ``format`` allows opaque
/// tokens, and is still probed. A token that fails is discarded and a refresh follows (see
/// `docs/validation.md`).
public struct TokenValidation: Sendable {
    /// What tokens the provider issues.
    public struct Format: Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// A token shaped like a JWT (three parts, a JSON header) is checked as one; any other is opaque.
        public static let auto = Format(rawValue: "auto")
        /// Every token must be a well-formed JWT; anything else is refused (check `structure`).
        public static let jwt = Format(rawValue: "jwt")
        /// Tokens are opaque: no JWT step runs (only the live probe, if configured).
        public static let opaque = Format(rawValue: "opaque")

        public static let all: [Format] = [.auto, .jwt, .opaque]
        public var description: String { self.rawValue }
    }

    public var format: Format
    /// Whether `exp`, `nbf` and `iat` are checked.
    public var checkTime: Bool
    /// Clock difference tolerated in the time checks (RFC 7519 §4.1.4 "some small leeway").
    public var leeway: Duration
    /// The signature check against the issuer's keys; `nil` checks no signature.
    public var signature: SignatureCheck?
    /// The required `iss`; `nil` does not check it. Also the issuer whose metadata is discovered.
    public var issuer: String?
    /// Acceptable audiences: the token's `aud` (a string or an array) must contain one; empty does not check.
    public var audiences: [String]
    /// The live probe; `nil` for none.
    public var probe: LiveProbe?

    public init(
        format: Format = .auto,
        checkTime: Bool = true,
        leeway: Duration = .seconds(30),
        signature: SignatureCheck? = nil,
        issuer: String? = nil,
        audiences: [String] = [],
        probe: LiveProbe? = nil
    ) {
        self.format = format
        self.checkTime = checkTime
        self.leeway = leeway
        self.signature = signature
        self.issuer = issuer
        self.audiences = audiences
        self.probe = probe
    }
}

/// Signature verification with jwt-kit, against the issuer's JWKS or a shared HS256 secret.
public struct SignatureCheck: Sendable {
    /// The JWKS document's URL; when `nil`, it is discovered from the issuer's metadata
    /// (RFC 8414 `/.well-known/oauth-authorization-server`, then OpenID Connect
    /// `/.well-known/openid-configuration`), which needs ``TokenValidation/issuer``.
    public var jwksURL: String?
    /// Accepted `alg` values for keys from the JWKS; `none` and HMAC algorithms are never accepted from it.
    public var algorithms: Set<String>
    /// The HS256 shared secret; when set, tokens with `alg: HS256` are verified with it (and only with it).
    public var sharedSecret: Secret?
    /// The shortest time between two JWKS fetches caused by an unknown `kid`.
    public var minimumRefetchInterval: Duration

    /// The asymmetric algorithms verified against a JWKS.
    public static let asymmetricAlgorithms: Set<String> = ["RS256", "ES256", "EdDSA"]

    public init(
        jwksURL: String? = nil,
        algorithms: Set<String> = SignatureCheck.asymmetricAlgorithms,
        sharedSecret: Secret? = nil,
        minimumRefetchInterval: Duration = .seconds(60)
    ) {
        self.jwksURL = jwksURL
        self.algorithms = algorithms
        self.sharedSecret = sharedSecret
        self.minimumRefetchInterval = minimumRefetchInterval
    }
}

/// A live check of a token with the provider: RFC 7662 introspection or a probe URL.
///
/// Rate limit: each token is probed at most once, when it is obtained, and a provider's probes are at
/// least ``minimumInterval`` apart; a token obtained sooner after the last probe is handed out without
/// one once its other checks passed. So probes never outnumber token requests and, with the default
/// interval, add at most one request a minute.
public struct LiveProbe: Sendable {
    /// Where the token is checked.
    public enum Target: Sendable, Hashable {
        /// RFC 7662 introspection at this URL; `nil` discovers `introspection_endpoint` from the issuer's
        /// metadata. The client authenticates as it does at the token endpoint.
        case introspection(url: String?)
        /// `GET` with the token as a bearer credential; any 2xx passes.
        case url(String)
    }

    public var target: Target
    public var minimumInterval: Duration

    public init(target: Target, minimumInterval: Duration = .seconds(60)) {
        self.target = target
        self.minimumInterval = minimumInterval
    }
}
