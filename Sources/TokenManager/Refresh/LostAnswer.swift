import Primitives

/// A `refresh_token` request that was sent and whose answer never arrived (a timeout, or a connection that
/// broke after the request was written).
///
/// Why it exists: the provider may have processed such a request and rotated the refresh token; the
/// rotated one was lost with the answer. A later `invalid_grant` for the same refresh token, in the same
/// round or a later one, is then reported as ``TokenRefreshError/Code/rotationLost``, not as a revoked
/// grant. The session keeps it until a round succeeds or the refresh token changes.
struct LostAnswer: Sendable {
    /// The refresh token the request carried, to tell whether a later `invalid_grant` is about it.
    var refreshToken: Secret?
    /// The endpoint the request went to.
    var endpoint: String
    /// How it failed (`timeout`, `connection_error`).
    var failure: AttemptFailure
}
