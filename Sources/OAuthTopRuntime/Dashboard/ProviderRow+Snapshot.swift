import Dashboard
import TokenManager

extension ProviderRow {
    /// The row for one of the token manager's provider snapshots, with the endpoints' recent outcomes and
    /// the breaker's transitions from `history` when given.
    public init(_ snapshot: ProviderSnapshot, history: ProviderHistory? = nil) {
        self.init(
            name: snapshot.name,
            phase: Phase(rawValue: snapshot.phase.rawValue),
            expiresAt: snapshot.expiresAt,
            lifetimeSeconds: snapshot.lifetimeSeconds,
            breaker: BreakerStatus(snapshot.breaker),
            breakerSince: snapshot.breakerSince,
            refreshing: snapshot.refreshing,
            needsIntervention: snapshot.needsIntervention,
            lastError: snapshot.lastError,
            tokenFingerprint: snapshot.tokenFingerprint,
            issuedAt: snapshot.issuedAt,
            advisoryAt: snapshot.advisoryAt,
            mandatoryAt: snapshot.mandatoryAt,
            endpoint: snapshot.endpoint,
            endpoints: history?.endpoints(of: snapshot.name, configured: snapshot.endpoints)
                ?? snapshot.endpoints.map { EndpointRow(url: $0) },
            breakerHistory: history?.breakerChanges(of: snapshot.name) ?? [],
            consecutiveFailures: snapshot.consecutiveFailures,
            rounds: snapshot.rounds,
            failedRounds: snapshot.failedRounds,
            lastSuccessAt: snapshot.lastSuccessAt,
            skewSeconds: snapshot.skewSeconds,
            fallbackChain: snapshot.fallbackChain.map(\.rawValue),
            fallbackInUse: snapshot.fallbackInUse?.rawValue,
            fleetLock: snapshot.lockHolder.map {
                FleetLock(instanceID: $0.instanceID, host: $0.host, since: $0.since)
            },
            emergency: snapshot.emergency.map {
                EmergencyRow(since: $0.since, tried: $0.tried.map(EmergencyRow.Attempt.init))
            }
        )
    }
}

extension EmergencyRow.Attempt {
    /// The dashboard's and the socket's form of a method tried while no method gave a token.
    public init(_ attempt: FallbackAttempt) {
        self.init(method: attempt.method, entry: attempt.entry, reason: attempt.reason, detail: attempt.detail)
    }
}

extension BreakerStatus {
    /// The dashboard's form of a circuit breaker's state.
    public init(_ state: BreakerState) {
        switch state {
        case .open: self = .open
        case .halfOpen: self = .halfOpen
        default: self = .closed
        }
    }
}
