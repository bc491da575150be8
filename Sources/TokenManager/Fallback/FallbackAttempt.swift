/// One method tried for a provider's token while OAuth could not give one, and why it gave none.
///
/// A ``TokenRefreshError`` that ends in emergency mode lists them in ``TokenRefreshError/tried``,
/// OAuth first, then each fallback entry in the chain's order; the dashboard, `oauthtop status`, the
/// token socket and the emergency alert show the same list. Nothing in it is a secret: entries are
/// named by fingerprint.
public struct FallbackAttempt: Sendable, Hashable, CustomStringConvertible {
    /// `oauth` for the provider's own refresh, else the entry's ``FallbackCredential/Method`` label.
    public var method: String
    /// The entry, named without a secret: `OAuth`, `alternate provider 'x'`, `emergency key secret(sha256:…)`.
    public var entry: String
    /// A short, bounded code: the OAuth error's reason (`breaker_open`, `invalid_grant`, ...) or the
    /// entry's (`alternate_failed`, `not_approved`, `time_limit`, ...).
    public var reason: String
    /// Why, in words, free of secrets.
    public var detail: String

    public init(method: String, entry: String, reason: String, detail: String) {
        self.method = method
        self.entry = entry
        self.reason = reason
        self.detail = detail
    }

    /// The `method` of the OAuth attempt.
    public static let oauthMethod = "oauth"

    /// The provider's own OAuth refresh, failed with `error`.
    public static func oauth(_ error: TokenRefreshError) -> FallbackAttempt {
        FallbackAttempt(method: Self.oauthMethod, entry: "OAuth", reason: error.reason, detail: error.description)
    }

    /// `entry: detail`.
    public var description: String { "\(self.entry): \(self.detail)" }
}
