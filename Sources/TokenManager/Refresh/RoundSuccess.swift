/// What a successful round brings back.
///
/// Why it exists: expiry and clock skew are computed from the exchange's timings (when the request
/// left, when the answer came, the server's `Date`), which are not part of the response itself;
/// the session turns it into a `CachedToken` at once and drops it.
struct RoundSuccess: Sendable {
    var response: TokenResponse
    var endpoint: String
    /// Local wall time when the successful request was sent (Unix nanoseconds).
    var sentAt: Int64
    /// Local wall time when its response arrived.
    var receivedAt: Int64
    /// The response's `Date` header in Unix seconds, when present.
    var serverDate: Double?
}
