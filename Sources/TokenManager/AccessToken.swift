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
///
/// It is one reference to immutable storage, so handing it out costs one retain and it is returned in
/// a register: the hot path's cost (`Benchmarks/compare`). Setting a property makes new storage.
public struct AccessToken: Sendable, CustomStringConvertible {
    @usableFromInline
    final class Storage: Sendable {
        let value: Secret
        let tokenType: String
        let expiresAt: Int64
        let fallback: FallbackCredential.Method?

        init(value: Secret, tokenType: String, expiresAt: Int64, fallback: FallbackCredential.Method?) {
            self.value = value
            self.tokenType = tokenType
            self.expiresAt = expiresAt
            self.fallback = fallback
        }
    }

    @usableFromInline var storage: Storage

    public init(value: Secret, tokenType: String, expiresAt: Int64, fallback: FallbackCredential.Method? = nil) {
        self.storage = Storage(value: value, tokenType: tokenType, expiresAt: expiresAt, fallback: fallback)
    }

    public var value: Secret {
        get { self.storage.value }
        set { self = self.replacing(value: newValue) }
    }

    /// `Bearer` unless the provider says otherwise.
    public var tokenType: String {
        get { self.storage.tokenType }
        set { self = self.replacing(tokenType: newValue) }
    }

    /// When it expires, in Unix nanoseconds on the manager's clock (skew applied). For an
    /// emergency key, when its time limit in this outage ends.
    public var expiresAt: Int64 {
        get { self.storage.expiresAt }
        set { self = self.replacing(expiresAt: newValue) }
    }

    /// `nil` for a token the provider issued through OAuth; otherwise the fallback credential's
    /// method (see ``FallbackCredential``): callers may degrade, log or alert on it.
    public var fallback: FallbackCredential.Method? {
        get { self.storage.fallback }
        set { self = self.replacing(fallback: .some(newValue)) }
    }

    /// The same token in storage of its own, so that callers on different threads do not share a
    /// reference count (the per-thread cache holds one such copy per thread).
    func withOwnStorage() -> AccessToken { self.replacing() }

    private func replacing(
        value: Secret? = nil,
        tokenType: String? = nil,
        expiresAt: Int64? = nil,
        fallback: FallbackCredential.Method?? = nil
    ) -> AccessToken {
        AccessToken(
            value: value ?? self.value, tokenType: tokenType ?? self.tokenType, expiresAt: expiresAt ?? self.expiresAt,
            fallback: fallback ?? self.fallback
        )
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
