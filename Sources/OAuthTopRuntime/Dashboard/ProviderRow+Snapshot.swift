import Dashboard
import TokenManager

extension ProviderRow {
    /// The row for one of the token manager's provider snapshots.
    public init(_ snapshot: ProviderSnapshot) {
        self.init(
            name: snapshot.name,
            phase: Phase(rawValue: snapshot.phase.rawValue),
            expiresAt: snapshot.expiresAt,
            lifetimeSeconds: snapshot.lifetimeSeconds,
            breaker: BreakerStatus(snapshot.breaker),
            breakerSince: snapshot.breakerSince,
            refreshing: snapshot.refreshing,
            needsIntervention: snapshot.needsIntervention,
            lastError: snapshot.lastError
        )
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
