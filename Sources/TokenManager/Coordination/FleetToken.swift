import Primitives

/// A token as the fleet shares it: what one process obtained and the others adopt.
///
/// Why it exists: a process that takes a token from the fleet must install it exactly as if it had
/// refreshed itself (expiry, the rotated refresh token) without the exchange's timings, which only
/// the refreshing process saw; and the shared state carries a generation, which no local type has.
/// It holds secrets (the access and refresh tokens) as ``Secret``s, so printing it shows fingerprints.
public struct FleetToken: Sendable, Hashable {
    /// The access token.
    public var accessToken: Secret
    /// The token type (`Bearer`).
    public var tokenType: String
    /// When the access token expires, in Unix nanoseconds on the refreshing process's clock.
    public var expiresAt: Int64
    /// When the refreshing process obtained it, in Unix nanoseconds.
    public var issuedAt: Int64
    /// The newest refresh token (rotated by the identity provider, or the one that was used).
    public var refreshToken: Secret?
    /// The scope the identity provider granted, if it said.
    public var scope: String?
    /// The token endpoint that issued it, if known.
    public var endpoint: String?
    /// The shared state's generation: 1 for the first token written, one more for every later one.
    public var generation: UInt64
    /// The instance id of the process that refreshed.
    public var refreshedBy: String

    public init(
        accessToken: Secret,
        tokenType: String,
        expiresAt: Int64,
        issuedAt: Int64,
        refreshToken: Secret?,
        scope: String? = nil,
        endpoint: String? = nil,
        generation: UInt64,
        refreshedBy: String
    ) {
        self.accessToken = accessToken
        self.tokenType = tokenType
        self.expiresAt = expiresAt
        self.issuedAt = issuedAt
        self.refreshToken = refreshToken
        self.scope = scope
        self.endpoint = endpoint
        self.generation = generation
        self.refreshedBy = refreshedBy
    }
}
