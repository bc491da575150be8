/// A plan of faults the demo identity provider injects into its token endpoints and its protected API.
///
/// Each fault applies to requests that arrive inside its time window (measured from the
/// provider's start), on the endpoints it names, up to `count` requests. The first fault that
/// matches a request decides what that request gets. The file format that produces these values
/// is documented in `docs/faults.md` and parsed by the configuration layer.
public struct FaultSchedule: Sendable, Hashable {
    public var faults: [Fault]
    /// How long a rotated-away refresh token keeps working, when the schedule says; it then overrides
    /// ``DemoIdentityProviderConfiguration/refreshTokenReuseInterval``, so one schedule file can rehearse a
    /// provider with or without a reuse interval (`refresh_token_reuse_interval:` in the file).
    public var refreshTokenReuseInterval: Duration?

    public init(faults: [Fault] = [], refreshTokenReuseInterval: Duration? = nil) {
        self.faults = faults
        self.refreshTokenReuseInterval = refreshTokenReuseInterval
    }

    /// No faults: every request is answered normally.
    public static let none = FaultSchedule()
}

/// One scheduled fault.
public struct Fault: Sendable, Hashable {
    public var kind: FaultKind
    /// When the fault starts to apply, measured from the provider's start.
    public var start: Duration
    /// When it stops applying (exclusive); `nil` means it never stops on its own.
    public var end: Duration?
    /// The largest number of requests it applies to; `nil` means no limit.
    public var count: Int?
    /// Names of the endpoints it applies to; `nil` means every endpoint.
    public var endpoints: Set<String>?

    public init(
        kind: FaultKind,
        start: Duration = .zero,
        end: Duration? = nil,
        count: Int? = nil,
        endpoints: Set<String>? = nil
    ) {
        self.kind = kind
        self.start = start
        self.end = end
        self.count = count
        self.endpoints = endpoints
    }
}

/// What a faulty request gets.
public enum FaultKind: Sendable, Hashable {
    /// The response is delayed by `delay`, then answered normally.
    case slow(delay: Duration)
    /// An HTTP error status (e.g. 500, 502, 503) with a small JSON or text body.
    case httpError(status: Int)
    /// 429 (or the given status, e.g. 503) with `Retry-After`, in seconds or as an HTTP date.
    case rateLimit(retryAfter: Duration, status: Int, httpDate: Bool)
    /// RFC 6749 §5.2 `invalid_grant`: the refresh token is revoked for good.
    case invalidGrant
    /// The endpoint's listener is closed: connections are refused for the window.
    case outage
    /// A 200 response whose body is wrong in the given way.
    case badResponse(BadTokenResponse)
    /// The request is processed as usual (a refresh rotates the refresh token) but its answer is lost:
    /// with `delay` `nil` the connection is closed without any response; otherwise the answer is held
    /// back by `delay`, longer than the client waits.
    case lostAnswer(delay: Duration?)
    /// A correct token response whose access token is bad in the given way (see ``BadAccessToken``).
    case badToken(BadAccessToken)
    /// The introspection endpoint answers `active: false` for every token (RFC 7662); the token
    /// endpoint ignores this fault.
    case inactiveToken
    /// The signing key is rotated (RS256 only): a new key with a new `kid` signs from then on and is added
    /// to the JWKS, the old one stays published. The first token request in the window rotates; the
    /// request is then answered normally.
    case rotateKeys
    /// A request to the protected API (`/api/v1/...`) presenting a valid access token revokes that token:
    /// it gets 401 with `WWW-Authenticate: Bearer error="invalid_token"`, and so does every later request
    /// with it (and introspection answers `active: false`), so a client must get a new token. Token
    /// requests ignore it.
    case revokeToken
    /// The protected API answers 429 (or the given status, e.g. 503) with `Retry-After`, in seconds or as
    /// an HTTP date. Token requests ignore it.
    case apiRateLimit(retryAfter: Duration, status: Int, httpDate: Bool)
    /// The protected API answers an HTTP error status with a small JSON body. Token requests ignore it.
    case apiError(status: Int)

    /// Whether the fault applies to introspection requests rather than token requests.
    public var isIntrospectionFault: Bool { self == .inactiveToken }

    /// Whether the fault applies to requests to the protected API rather than token requests.
    public var isAPIFault: Bool {
        switch self {
        case .revokeToken, .apiRateLimit, .apiError: true
        default: false
        }
    }

    /// Whether the fault can decide a request of this kind: each request sees only the faults meant for
    /// its kind, so an API fault's `count` is not used up by token requests (and the other way round).
    func decides(_ request: FaultedRequest) -> Bool {
        switch request {
        case .token: !self.isIntrospectionFault && !self.isAPIFault
        case .introspection: self.isIntrospectionFault
        // An API request arriving as an outage begins is answered like a draining server, as a token request is.
        case .api: self.isAPIFault || self == .outage
        }
    }
}

/// The kinds of request a fault can decide.
enum FaultedRequest: Sendable {
    /// A request to the token path.
    case token
    /// An RFC 7662 introspection request.
    case introspection
    /// A request to the protected API (`/api/v1/...`).
    case api
}

/// Ways a token response can be wrong while the status says 200.
public struct BadTokenResponse: Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// An HTML error page from a proxy, served as `text/html`.
    public static let html = BadTokenResponse(rawValue: "html")
    /// Bytes that are not JSON.
    public static let notJSON = BadTokenResponse(rawValue: "not_json")
    /// JSON, but not an object (e.g. an array).
    public static let notObject = BadTokenResponse(rawValue: "not_object")
    public static let emptyBody = BadTokenResponse(rawValue: "empty_body")
    public static let missingAccessToken = BadTokenResponse(rawValue: "missing_access_token")
    /// An opaque access token with no `expires_in` (nothing to tell its lifetime by).
    public static let missingExpiresIn = BadTokenResponse(rawValue: "missing_expires_in")
    public static let negativeExpiresIn = BadTokenResponse(rawValue: "negative_expires_in")
    /// `expires_in` of ten years.
    public static let absurdExpiresIn = BadTokenResponse(rawValue: "absurd_expires_in")
    /// `token_type` other than `Bearer` (e.g. `mac`).
    public static let wrongTokenType = BadTokenResponse(rawValue: "wrong_token_type")

    public static let all: [BadTokenResponse] = [
        .html, .notJSON, .notObject, .emptyBody, .missingAccessToken, .missingExpiresIn,
        .negativeExpiresIn, .absurdExpiresIn, .wrongTokenType,
    ]
    public var description: String { self.rawValue }
}
