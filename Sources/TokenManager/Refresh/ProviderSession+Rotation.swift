// After `invalid_grant`: whether another process rotated the refresh token this session sent (a fleet
// member, or another manager sharing the token store), before the error is reported.

import Primitives

extension ProviderSession {
    /// Resolves an `invalid_grant` that another process's rotation explains, or returns `nil` to report it.
    ///
    /// Asks the fleet first (`recheck`, when the round ran without the fleet lock), then the token store as
    /// it is now: when the store holds a refresh token other than the one sent, another manager sharing the
    /// file rotated it. Its access token is adopted when it is still outside the mandatory window (no
    /// request); otherwise the round is retried once with the newer refresh token, and that result stands.
    /// Either way the lost race counts as a refresh conflict.
    ///
    /// - Parameters:
    ///   - sent: The refresh token the failed round presented.
    ///   - recheck: The fleet's newer token, when the round ran in a fleet without the lock.
    ///   - handedOut: Whether the token goes to a waiting caller.
    ///   - startedAt: When the round was admitted.
    func recoverRotation(
        sent: Secret?,
        recheck: (@Sendable () async -> FleetToken?)?,
        handedOut: Bool,
        startedAt: Int64
    ) async -> Result<CachedToken, TokenRefreshError>? {
        if let recheck, let fleet = await recheck(), await self.fleetTokenIsValid(fleet) {
            return self.adopt(fleet, reason: .rotated, handedOut: handedOut)
        }
        guard let found = await self.newerStoredRotation(than: sent) else { return nil }
        let (stored, newer) = found
        self.metrics.conflicts.increment()
        let now = self.clock.now()
        // The store's access token is taken only outside its mandatory window, as a fleet token would be.
        let windows = self.configuration.refresh.windows(
            obtainedAt: stored.obtainedAtNanos, expiresAt: stored.expiresAtNanos, random: 0
        )
        if !stored.accessToken.isEmpty, now < windows.mandatoryAt {
            let generation = self.state.withLock { $0.fleetGeneration }
            let token = FleetToken(
                accessToken: Secret(stored.accessToken), tokenType: stored.tokenType, expiresAt: stored.expiresAtNanos,
                issuedAt: stored.obtainedAtNanos, refreshToken: newer, scope: stored.scope,
                endpoint: stored.endpoint.isEmpty ? nil : stored.endpoint, generation: generation,
                refreshedBy: "token store"
            )
            // Checked like a fleet token (validation, when configured); a refused one leaves the refresh token.
            if await self.fleetTokenIsValid(token, source: .store) {
                return self.adopt(token, reason: .store, handedOut: handedOut)
            }
        }
        // Only the refresh token is worth having: one more exchange with it, whose result stands.
        self.state.withLock { $0.refreshToken = newer }
        self.emit(.retry, at: now, [
            ("endpoint", .string(self.configuration.tokenEndpoints.first ?? "")), ("attempt", .int(1)),
            ("reason", .string("rotated_in_store")), ("backoff_ms", .double(0)),
        ])
        do {
            let success = try await self.exchange(refreshToken: newer)
            var token = self.cachedToken(from: success)
            token.handedOut = handedOut
            return self.finish(.success(token), startedAt: startedAt, success: success)
        } catch {
            return self.finish(.failure(error), startedAt: startedAt)
        }
    }

    /// How often, and for how long, the store is read again while waiting for a competing manager's write.
    static let storeRecheckInterval: Duration = .milliseconds(50)
    static let storeRecheckLimit: Duration = .seconds(5)

    /// The store's entry for this provider when it holds a refresh token other than `sent`, descending
    /// from the same configured one.
    ///
    /// Two managers that race send the same refresh token; the loser's `invalid_grant` may arrive before
    /// the winner has its answer, let alone has written the store. So the store is read again every
    /// ``storeRecheckInterval`` for as long as the first timeout step (at most ``storeRecheckLimit``): a
    /// winner whose answer takes longer would have abandoned it itself. Without a store, `nil` at once.
    private func newerStoredRotation(than sent: Secret?) async -> (StoredToken, Secret)? {
        guard let read = self.environment.storedToken else { return nil }
        let seed = self.configuration.refreshToken?.fingerprint
        let window = min(self.configuration.timeouts.step(forAttempt: 0).total, Self.storeRecheckLimit)
        let reads = max(1, Int(window / Self.storeRecheckInterval))
        for index in 0..<reads {
            if index > 0 {
                do {
                    try await self.clock.sleep(for: Self.storeRecheckInterval)
                } catch {
                    return nil
                }
            }
            guard let stored = read(self.name), let value = stored.refreshToken, !value.isEmpty,
                stored.refreshTokenSeed == nil || stored.refreshTokenSeed == seed
            else { continue }
            let newer = Secret(value)
            if newer != sent { return (stored, newer) }
        }
        return nil
    }
}
