// Validation inside the round: a refused token is an attempt failure, retried like a bad response.

extension RefreshRound {
    /// Validates the token of a successful exchange.
    ///
    /// A refused token becomes an attempt failure of kind `badResponse` with the code `invalid_token`: the
    /// round backs off and retries (the provider may issue a good one next), fails over, and a round that
    /// ends on it counts toward the breaker, so a provider that issues only bad tokens is asked with
    /// backoff and then not at all while the breaker is open.
    func validated(_ success: RoundSuccess, endpoint: String) async -> Result<RoundSuccess, AttemptFailure> {
        guard let validator = self.validator else { return .success(success) }
        do {
            _ = try await validator.validate(
                success.response.accessToken, now: success.receivedAt, skew: success.skew ?? 0
            )
            return .success(success)
        } catch {
            if let rotated = success.response.refreshToken { self.rotated.keep(rotated) }
            TokenRejection.report(
                error, token: success.response.accessToken, source: .refresh, endpoint: endpoint,
                provider: self.configuration.name, at: self.clock.now(), metrics: self.metrics, events: self.events,
                logger: self.logger
            )
            return .failure(
                AttemptFailure(
                    kind: .badResponse, code: TokenRejection.reason, detail: "\(error.check): \(error.detail)",
                    status: 200
                )
            )
        }
    }
}
