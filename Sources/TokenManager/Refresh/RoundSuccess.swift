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

extension RoundSuccess {
    /// The server clock's offset from ours, from its `Date` header, when it sent one.
    ///
    /// `Date` has one-second resolution: it is compared with the middle of the exchange, counting
    /// the server's clock as half a second later than the truncated value.
    var skew: Int64? {
        guard let serverDate = self.serverDate else { return nil }
        let midpoint = (self.sentAt + self.receivedAt) / 2
        return Int64((serverDate + 0.5) * 1e9) - midpoint
    }

    /// When the token expires on our clock: `expires_in` from when the request left, and the JWT
    /// `exp` corrected for skew, whichever is earlier (at once when neither is known).
    var expiresAt: Int64 {
        var expiresAt = Int64.max
        if let expiresIn = self.response.expiresIn {
            expiresAt = self.sentAt + expiresIn.nanoseconds
        }
        if let exp = self.response.jwtExpiry {
            expiresAt = min(expiresAt, Int64(exp * 1e9) - (self.skew ?? 0))
        }
        return expiresAt == .max ? self.receivedAt : expiresAt
    }
}
