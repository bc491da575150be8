// Expiry and skew arithmetic: from a round's response and timings to a cached token with windows.

extension ProviderSession {
    /// Builds the cached token: expiry from `expires_in` and the JWT `exp` corrected for skew,
    /// whichever is earlier (``RoundSuccess/expiresAt``), and the refresh windows with jitter.
    func cachedToken(from success: RoundSuccess) -> CachedToken {
        let response = success.response
        let skew = success.skew
        let expiresAt = success.expiresAt
        let lifetime = response.expiresIn ?? .nanoseconds(max(0, expiresAt - success.sentAt))
        let windows = self.configuration.refresh.windows(
            obtainedAt: success.receivedAt, expiresAt: expiresAt, random: self.environment.random.unit()
        )
        self.state.withLock { $0.skew = skew }
        return CachedToken(
            access: AccessToken(value: response.accessToken, tokenType: response.tokenType, expiresAt: expiresAt),
            windows: windows,
            obtainedAt: success.receivedAt,
            lifetime: lifetime,
            endpoint: success.endpoint,
            scope: response.scope
        )
    }

    /// The provider's clock minus ours, estimated from the response's `Date`, if it had one.
    static func skew(of success: RoundSuccess) -> Int64? {
        guard let serverDate = success.serverDate else { return nil }
        // `Date` has one-second resolution: compare it with the middle of the exchange,
        // counting the server's clock as half a second later than the truncated value.
        let midpoint = (success.sentAt + success.receivedAt) / 2
        return Int64((serverDate + 0.5) * 1e9) - midpoint
    }
}
