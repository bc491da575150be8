import Primitives

/// An access token handed to a caller.
///
/// Printing it shows only its fingerprint; send ``value``'s `revealed` string as the bearer
/// credential and nowhere else.
///
/// Why it exists: it is the only representation a caller sees, and the one the hot path copies, so
/// it carries just what a request needs (the value, its type, the expiry, whether it is a
/// fallback), nothing of the session's bookkeeping. A token's way through the manager:
/// ``TokenResponse`` (the checked wire answer) -> `RoundSuccess` (that answer with the exchange's
/// timings) -> `CachedToken` (the session's record, with refresh windows) -> ``AccessToken`` (to
/// callers) and ``StoredToken`` (to the store file).
public struct AccessToken: Sendable, CustomStringConvertible {
    public var value: Secret
    /// `Bearer` unless the provider says otherwise.
    public var tokenType: String
    /// When it expires, in Unix nanoseconds on the manager's clock (skew applied). For an
    /// emergency key, when its time limit in this outage ends.
    public var expiresAt: Int64
    /// `nil` for a token the provider issued through OAuth; otherwise the fallback credential's
    /// method (see ``FallbackCredential``): callers may degrade, log or alert on it.
    public var fallback: FallbackCredential.Method?

    public init(value: Secret, tokenType: String, expiresAt: Int64, fallback: FallbackCredential.Method? = nil) {
        self.value = value
        self.tokenType = tokenType
        self.expiresAt = expiresAt
        self.fallback = fallback
    }

    /// Whether this is a fallback credential rather than a token obtained through OAuth.
    public var isFallback: Bool { self.fallback != nil }

    /// The `Authorization` header value.
    public var authorizationHeader: String { "\(self.tokenType) \(self.value.revealed)" }

    public var description: String {
        let kind = self.fallback.map { " (fallback: \($0))" } ?? ""
        return "\(self.tokenType) token \(self.value)\(kind) expiring at \(self.expiresAt / 1_000_000_000)"
    }
}
