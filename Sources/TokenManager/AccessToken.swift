/// An access token handed to a caller.
///
/// Printing it shows only its fingerprint; send ``value``'s `revealed` string as the bearer
/// credential and nowhere else.
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

/// A provider, resolved once by name for cheap repeated lookups.
public struct ProviderID: Sendable, Hashable, CustomStringConvertible {
    public let name: String
    let index: Int
    public var description: String { self.name }
}

/// A token the session holds, with its refresh windows.
struct CachedToken: Sendable {
    var access: AccessToken
    var windows: RefreshWindows
    /// When it was obtained (Unix nanoseconds).
    var obtainedAt: Int64
    /// The issued lifetime (`expires_in`, or `exp - iat` as seen locally).
    var lifetime: Duration
    var endpoint: String
    var scope: String?
    /// Whether a caller has received it; an expiry after that counts as "expired during task".
    var handedOut = false
    var expiryCounted = false
}
