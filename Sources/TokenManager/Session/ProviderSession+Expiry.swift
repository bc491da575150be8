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
}
