/// The answer of `POST /v1/refresh[/{provider}]` and what `oauthtop refresh` prints: one result per
/// provider refreshed. Free of secrets.
public struct SocketRefreshOutcome: Sendable, Hashable, Codable {
    public var results: [Result]

    public init(results: [Result]) {
        self.results = results
    }

    /// Whether every refresh succeeded.
    public var succeeded: Bool { self.results.allSatisfy { $0.outcome == Result.refreshed } }

    /// One provider's manual refresh.
    public struct Result: Sendable, Hashable, Codable {
        /// ``outcome`` of a refresh that gave a new token.
        public static let refreshed = "refreshed"
        /// ``outcome`` of a refresh that failed.
        public static let failed = "failed"

        public var provider: String
        /// `refreshed` or `failed`.
        public var outcome: String
        /// The new token's fingerprint.
        public var tokenFingerprint: String?
        /// RFC 3339.
        public var expiresAt: String?
        public var expiresIn: Int64?
        /// The error's short bounded code (`invalid_grant`, `breaker_open`, ...).
        public var reason: String?
        /// The error's full message (endpoints tried and why), never a secret.
        public var error: String?

        public init(
            provider: String, outcome: String, tokenFingerprint: String? = nil, expiresAt: String? = nil,
            expiresIn: Int64? = nil, reason: String? = nil, error: String? = nil
        ) {
            self.provider = provider
            self.outcome = outcome
            self.tokenFingerprint = tokenFingerprint
            self.expiresAt = expiresAt
            self.expiresIn = expiresIn
            self.reason = reason
            self.error = error
        }

        enum CodingKeys: String, CodingKey {
            case provider, outcome, reason, error
            case tokenFingerprint = "token_fingerprint"
            case expiresAt = "expires_at"
            case expiresIn = "expires_in"
        }
    }
}
