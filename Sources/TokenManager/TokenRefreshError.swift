/// Why one request to one token endpoint did not produce a token.
public struct AttemptFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// The class of failure, used for decisions.
    public enum Kind: Sendable, Hashable {
        /// No complete response within the step's timeout.
        case timeout
        /// The endpoint refused the connection (nothing listening).
        case connectionRefused
        /// The connection failed or broke otherwise (reset, DNS, TLS, closed early).
        case connection
        /// 5xx without `Retry-After` handling (500, 502, 504, ...).
        case serverError
        /// 429, or 503 with `Retry-After`.
        case rateLimited
        /// An RFC 6749 §5.2 error response (`invalid_grant`, ...); `code` holds the error code.
        case oauthError
        /// A status the RFC does not explain for a token endpoint (e.g. 404).
        case unexpectedStatus
        /// A 200 whose body is not a usable token response.
        case badResponse
    }

    public var kind: Kind
    /// A short, bounded code: the metric label (`timeout`, `http_500`, `invalid_grant`, ...).
    public var code: String
    /// A human-readable explanation, free of secrets.
    public var detail: String
    /// The HTTP status, when there was a response.
    public var status: Int?
    /// `Retry-After` when the response carried one.
    public var retryAfter: Duration?

    public init(kind: Kind, code: String, detail: String, status: Int? = nil, retryAfter: Duration? = nil) {
        self.kind = kind
        self.code = code
        self.detail = detail
        self.status = status
        self.retryAfter = retryAfter
    }

    /// RFC 6749 §5.2 codes that no retry can fix: a revoked grant or a rejected client.
    public static let finalOAuthCodes: Set<String> = [
        "invalid_grant", "invalid_client", "unauthorized_client", "invalid_request",
        "unsupported_grant_type", "invalid_scope",
    ]

    /// Whether this failure ends the whole round (no retry, no failover).
    public var isFinal: Bool { self.kind == .oauthError && Self.finalOAuthCodes.contains(self.code) }

    /// Whether another attempt on the same endpoint may succeed.
    public var isRetryableOnSameEndpoint: Bool {
        switch self.kind {
        case .timeout, .connection, .serverError, .rateLimited, .badResponse: true
        case .connectionRefused, .oauthError, .unexpectedStatus: false
        }
    }

    public var description: String { "\(self.code): \(self.detail)" }
}

/// What an endpoint did during one refresh round.
public struct EndpointFailure: Sendable, Hashable, CustomStringConvertible {
    public var endpoint: String
    public var attempts: Int
    public var last: AttemptFailure

    public init(endpoint: String, attempts: Int, last: AttemptFailure) {
        self.endpoint = endpoint
        self.attempts = attempts
        self.last = last
    }

    public var description: String {
        "\(self.endpoint) (\(self.attempts) attempt\(self.attempts == 1 ? "" : "s"), last: \(self.last))"
    }
}

/// The error a caller of ``OAuthTokenManager/token(for:)`` sees when no valid token can be had.
///
/// It names the provider and, for a failed round, every endpoint tried and why. ``code`` says what
/// kind of failure it is, for decisions (compare it with the static members of ``Code``, never a
/// string); ``reason`` is a short bounded label (`invalid_grant`, `timeout`, `breaker_open`, ...)
/// for metrics and events.
public struct TokenRefreshError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure an error is: a struct with static members rather than an enum, so new
    /// kinds can be added without breaking callers' exhaustive switches (as swift-service-lifecycle's
    /// `ServiceGroupError.Code` does).
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Backing: String, Sendable, Hashable {
            case allEndpointsFailed = "all_endpoints_failed"
            case final
            case rateLimited = "rate_limited"
            case breakerOpen = "breaker_open"
            case revoked
            case missingRefreshToken = "missing_refresh_token"
            case unknownProvider = "unknown_provider"
            case cancelled
            case refreshInFlight = "refresh_in_flight"
        }

        private let backing: Backing

        private init(_ backing: Backing) {
            self.backing = backing
        }

        /// Every endpoint of the round failed with a retryable error.
        public static let allEndpointsFailed = Code(.allEndpointsFailed)
        /// The provider answered with an RFC 6749 §5.2 error no retry can fix (`invalid_grant`, ...).
        public static let final = Code(.final)
        /// The round ended on a rate limit (`Retry-After` longer than the policy allows to wait).
        public static let rateLimited = Code(.rateLimited)
        /// The circuit breaker refused the round without a request.
        public static let breakerOpen = Code(.breakerOpen)
        /// An earlier final error stands: no round until a manual refresh or a new credential.
        public static let revoked = Code(.revoked)
        /// The refresh-token grant has no refresh token to send.
        public static let missingRefreshToken = Code(.missingRefreshToken)
        /// No provider of that name is configured.
        public static let unknownProvider = Code(.unknownProvider)
        /// The round was cancelled (shutdown); says nothing about the provider's health.
        public static let cancelled = Code(.cancelled)
        /// The provider is on fallback and a refresh round (the probe) is still running.
        public static let refreshInFlight = Code(.refreshInFlight)

        public var description: String { self.backing.rawValue }
    }

    /// The error's fields, behind one reference: callers waiting for a round hold a `Result` of a token or
    /// this error in their async frames, and a small frame keeps each of 10,000 waiting tasks within its
    /// first allocation (Benchmarks/, the single-flight run).
    private final class Storage: Sendable {
        let code: Code
        let provider: String
        let reason: String
        let endpoints: [EndpointFailure]
        let notBefore: Int64?
        let message: String
        let tried: [FallbackAttempt]

        init(
            code: Code, provider: String, reason: String, endpoints: [EndpointFailure], notBefore: Int64?,
            message: String, tried: [FallbackAttempt]
        ) {
            self.code = code
            self.provider = provider
            self.reason = reason
            self.endpoints = endpoints
            self.notBefore = notBefore
            self.message = message
            self.tried = tried
        }
    }

    private let storage: Storage

    /// What kind of failure this is.
    public var code: Code { self.storage.code }
    /// The provider the error is about.
    public var provider: String { self.storage.provider }
    /// A short, bounded code for metrics and events.
    public var reason: String { self.storage.reason }
    /// Every endpoint tried in the round, in order.
    public var endpoints: [EndpointFailure] { self.storage.endpoints }
    /// The earliest moment (Unix nanoseconds) a new round may start, when the provider said so.
    public var notBefore: Int64? { self.storage.notBefore }
    /// Every method tried, in order (OAuth first, then each fallback entry), when no method could give
    /// a token: the provider is in emergency mode. Empty for an error of OAuth alone (its endpoints are in
    /// ``endpoints``).
    public var tried: [FallbackAttempt] { self.storage.tried }
    /// Whether every method of the provider failed (OAuth and its whole fallback chain): see ``tried``.
    public var isEmergency: Bool { !self.storage.tried.isEmpty }
    private var message: String { self.storage.message }

    private init(
        _ code: Code,
        provider: String,
        reason: String,
        endpoints: [EndpointFailure] = [],
        notBefore: Int64? = nil,
        message: String,
        tried: [FallbackAttempt] = []
    ) {
        self.storage = Storage(
            code: code, provider: provider, reason: reason, endpoints: endpoints, notBefore: notBefore,
            message: message, tried: tried
        )
    }

    /// Whether retrying cannot help until someone acts (a revoked refresh token, a bad client).
    public var isFinal: Bool {
        self.code == .final || self.code == .revoked || self.code == .missingRefreshToken
    }
    /// Whether the identity provider answered `invalid_grant` (the refresh token was refused).
    var isInvalidGrant: Bool { self.code == .final && self.reason == "invalid_grant" }
    /// Whether the breaker refused the round without any request.
    public var isBreakerOpen: Bool { self.code == .breakerOpen }
    /// Whether the round ended on a rate limit.
    public var isRateLimited: Bool { self.code == .rateLimited }

    public var description: String { self.message }

    static func allEndpointsFailed(provider: String, _ failures: [EndpointFailure]) -> Self {
        let reason = failures.last?.last.code ?? "no_endpoint"
        let list = failures.map(\.description).joined(separator: "; ")
        return .init(
            .allEndpointsFailed, provider: provider, reason: Self.reasonClass(reason), endpoints: failures,
            message: "provider '\(provider)': all \(failures.count) token endpoint(s) failed: \(list)"
        )
    }

    static func final(provider: String, _ failures: [EndpointFailure]) -> Self {
        let last = failures.last?.last
        let code = last?.code ?? "oauth_error"
        let hint: String
        switch code {
        case "invalid_grant": hint = "the refresh token was revoked or has expired; provide a new one"
        case "invalid_client": hint = "the client id or secret was rejected"
        case "unauthorized_client": hint = "the client may not use this grant type"
        default: hint = "the request was rejected; check the provider's configuration"
        }
        return .init(
            .final, provider: provider, reason: code, endpoints: failures,
            message: "provider '\(provider)': \(code) from \(failures.last?.endpoint ?? "?"): \(hint)"
                + (last.map { " (\($0.detail))" } ?? "") + "; not retrying"
        )
    }

    static func rateLimited(provider: String, _ failures: [EndpointFailure], notBefore: Int64, waitSeconds: Double)
        -> Self
    {
        .init(
            .rateLimited, provider: provider, reason: "rate_limited", endpoints: failures, notBefore: notBefore,
            message: "provider '\(provider)': rate limited by \(failures.last?.endpoint ?? "?"); "
                + "next attempt allowed in \(Self.format(seconds: waitSeconds))"
        )
    }

    static func breakerOpen(provider: String, retryInSeconds: Double, lastError: String?) -> Self {
        .init(
            .breakerOpen, provider: provider, reason: "breaker_open",
            message: "provider '\(provider)': circuit breaker is open; next probe in "
                + "\(Self.format(seconds: retryInSeconds))" + (lastError.map { "; last error: \($0)" } ?? "")
        )
    }

    static func revoked(provider: String, previous: TokenRefreshError) -> Self {
        .init(
            .revoked, provider: provider, reason: previous.reason, endpoints: previous.endpoints,
            message: previous.message + " (a manual refresh or a new credential is needed)"
        )
    }

    /// OAuth failed with `previous` and every fallback entry failed too (emergency mode): keeps
    /// `previous`'s class (``isBreakerOpen``, ``isFinal``, ``reason``), lists what was tried in ``tried``
    /// (OAuth first) and adds why each entry could not be used to the message.
    static func fallbackFailed(previous: TokenRefreshError, entries: [FallbackAttempt]) -> Self {
        .init(
            previous.code, provider: previous.provider, reason: previous.reason, endpoints: previous.endpoints,
            notBefore: previous.notBefore,
            message: previous.message + "; fallback chain exhausted: "
                + entries.enumerated().map { "\($0.offset + 1)) \($0.element)" }.joined(separator: "; "),
            tried: [.oauth(previous)] + entries
        )
    }

    /// Whether the fallback chain may answer for this error: not for a cancelled caller or a
    /// provider that does not exist.
    var allowsFallback: Bool { self.code != .cancelled && self.code != .unknownProvider }

    static func missingRefreshToken(provider: String) -> Self {
        .init(
            .missingRefreshToken, provider: provider, reason: "no_refresh_token",
            message: "provider '\(provider)': the refresh_token grant needs a refresh token and none is configured"
        )
    }

    static func unknownProvider(_ name: String, known: [String]) -> Self {
        .init(
            .unknownProvider, provider: name, reason: "unknown_provider",
            message: "no provider named '\(name)' (configured: \(known.joined(separator: ", ")))"
        )
    }

    /// The provider is on fallback and a refresh round (the probe) is still running.
    static func refreshInFlight(provider: String) -> Self {
        .init(
            .refreshInFlight, provider: provider, reason: "refresh_in_flight",
            message: "provider '\(provider)': the token has expired and a refresh is still in flight"
        )
    }

    static func cancelled(provider: String) -> Self {
        .init(.cancelled, provider: provider, reason: "cancelled", message: "provider '\(provider)': refresh cancelled")
    }

    /// Maps an attempt code onto the bounded `reason` label of `oauth_refresh_failures_total`.
    static func reasonClass(_ code: String) -> String {
        code.hasPrefix("http_5") ? "server_error" : code
    }

    static func format(seconds: Double) -> String {
        seconds < 10 ? "\((seconds * 10).rounded() / 10)s" : "\(Int(seconds.rounded()))s"
    }
}
