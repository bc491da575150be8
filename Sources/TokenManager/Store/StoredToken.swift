/// One provider's persisted token. Holds secrets: it lives only in the 0600 store file.
///
/// Why it exists: it is the store file's format (`Codable`, plain strings and integers), which must
/// stay readable across versions, so it is kept apart from the in-memory types that may change;
/// it also carries the rotated refresh token, which no other representation holds.
public struct StoredToken: Codable, Sendable, Equatable {
    public var accessToken: String
    public var tokenType: String
    public var expiresAtNanos: Int64
    public var obtainedAtNanos: Int64
    public var lifetimeNanos: Int64
    public var endpoint: String
    public var scope: String?
    /// The latest (possibly rotated) refresh token.
    public var refreshToken: String?
    /// Fingerprint of the configured refresh token this one descends from: when the
    /// configuration supplies a different one, the configured one wins.
    public var refreshTokenSeed: String?
}
