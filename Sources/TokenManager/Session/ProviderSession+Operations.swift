// What the manager asks of a session besides tokens: OAuth status for the fallback chain, rejections.

extension ProviderSession {
    /// Whether OAuth has no usable token now (none, or expired), and whether a round is in flight:
    /// what the fallback chain needs to know.
    func oauthStatus(now: Int64) -> (unusable: Bool, refreshing: Bool) {
        self.state.withLock { state in
            let unusable = state.token.map { now >= $0.windows.expiresAt } ?? true
            return (unusable, state.inflight != nil)
        }
    }

    /// A caller's request was rejected with this token (HTTP 401): drop it so the next call
    /// refreshes, counting it as expired during a task if its expiry had passed.
    func reportRejected(_ token: AccessToken) {
        let now = self.clock.now()
        let expiredInUse = self.state.withLock { state -> Bool in
            guard let current = state.token, current.access.value == token.value else { return false }
            let expired = now >= current.windows.expiresAt && !current.expiryCounted
            self.setToken(nil, in: &state)
            return expired
        }
        if expiredInUse { self.recordExpiredInUse(now: now) }
        self.wake.signal()
    }
}
