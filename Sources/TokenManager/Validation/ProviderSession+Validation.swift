// Validation of tokens that did not come from this session's own round: restored from the store, or
// adopted from the fleet.

import Primitives

extension ProviderSession {
    /// Validates the token restored from the store, if one waits (``restore(_:now:)`` keeps it aside when
    /// the provider validates tokens), and installs it when it passes.
    ///
    /// - Returns: The installed token, or `nil` when there was none or it was refused (counted and
    ///   reported; the round that called this then refreshes).
    func validatePendingRestore(handedOut: Bool) async -> Result<CachedToken, TokenRefreshError>? {
        guard let validator = self.validator,
            var pending = self.state.withLock({ state -> CachedToken? in
                defer { state.pendingRestore = nil }
                return state.pendingRestore
            })
        else { return nil }
        let now = self.clock.now()
        guard now < pending.windows.mandatoryAt else { return nil }
        do {
            _ = try await validator.validate(pending.access.value, now: now, skew: self.state.withLock { $0.skew } ?? 0)
        } catch {
            self.reportInvalid(error, token: pending.access.value, source: .store)
            return nil
        }
        pending.handedOut = handedOut
        self.state.withLock { state in
            self.setToken(pending, in: &state)
            state.inflight = nil
        }
        self.metrics.lifetime.record(pending.lifetime.seconds)
        self.metrics.recordExpiry(expiresAt: pending.windows.expiresAt, now: now)
        return .success(pending)
    }

    /// Whether a token taken from the fleet (or, `source` `.store`, from another manager's write to the shared
    /// token store) passes validation; a refused one is counted and reported.
    func fleetTokenIsValid(_ fleet: FleetToken, source: TokenRejection.Source = .fleet) async -> Bool {
        guard let validator = self.validator else { return true }
        do {
            _ = try await validator.validate(
                fleet.accessToken, now: self.clock.now(), skew: self.state.withLock { $0.skew } ?? 0
            )
            return true
        } catch {
            self.reportInvalid(error, token: fleet.accessToken, source: source)
            return false
        }
    }

    /// Keeps a refresh token that a refused response rotated to.
    func keepRotated(_ rotated: RotatedRefreshToken) {
        guard let token = rotated.value else { return }
        self.state.withLock { $0.refreshToken = token }
    }

    func reportInvalid(_ failure: TokenValidationFailure, token: Secret, source: TokenRejection.Source) {
        TokenRejection.report(
            failure, token: token, source: source, endpoint: nil, provider: self.name, at: self.clock.now(),
            metrics: self.metrics, events: self.environment.events, logger: self.environment.logger
        )
    }
}
