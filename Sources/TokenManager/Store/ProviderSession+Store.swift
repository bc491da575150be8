// Mapping between a session's state and the ``StoredToken`` the token store persists.

import Primitives

extension ProviderSession {
    /// Installs a token restored from the store (if still valid) and the rotated refresh token.
    ///
    /// When the provider validates tokens, the token is kept aside instead (`pendingRestore`): validation
    /// may need the network, and the first round checks it before asking the token endpoint
    /// (``validatePendingRestore(handedOut:)``).
    ///
    /// - Returns: Whether a token was installed or kept for validation.
    func restore(_ stored: StoredToken, now: Int64) -> Bool {
        self.state.withLock { state in
            if let refreshToken = stored.refreshToken,
                stored.refreshTokenSeed == nil || stored.refreshTokenSeed == self.configuration.refreshToken?.fingerprint
            {
                state.refreshToken = Secret(refreshToken)
            }
            guard stored.expiresAtNanos > now + self.configuration.refresh.minMandatory.nanoseconds else {
                return false
            }
            let restored = CachedToken(
                access: AccessToken(
                    value: Secret(stored.accessToken), tokenType: stored.tokenType, expiresAt: stored.expiresAtNanos
                ),
                windows: self.configuration.refresh.windows(
                    obtainedAt: stored.obtainedAtNanos, expiresAt: stored.expiresAtNanos,
                    random: self.environment.random.unit()
                ),
                obtainedAt: stored.obtainedAtNanos,
                lifetime: .nanoseconds(stored.lifetimeNanos),
                endpoint: stored.endpoint,
                scope: stored.scope
            )
            if self.validator != nil {
                state.pendingRestore = restored
            } else {
                self.setToken(restored, in: &state)
            }
            return true
        }
    }

    /// The token and refresh token to persist.
    func storedToken() -> StoredToken? {
        self.state.withLock { state in
            guard state.token != nil || state.refreshToken != nil else { return nil }
            return StoredToken(
                accessToken: state.token?.access.value.revealed ?? "",
                tokenType: state.token?.access.tokenType ?? "Bearer",
                expiresAtNanos: state.token?.windows.expiresAt ?? 0,
                obtainedAtNanos: state.token?.obtainedAt ?? 0,
                lifetimeNanos: state.token?.lifetime.nanoseconds ?? 0,
                endpoint: state.token?.endpoint ?? "",
                scope: state.token?.scope,
                refreshToken: state.refreshToken?.revealed,
                refreshTokenSeed: self.configuration.refreshToken?.fingerprint
            )
        }
    }
}
