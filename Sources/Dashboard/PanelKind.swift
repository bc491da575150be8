/// The six panels of the seed, in screen order (left to right, top to bottom).
public enum PanelKind: Int, Sendable, Hashable, CaseIterable {
    case successRate
    case lifetime
    case latency
    case fallback
    case breaker
    case conflicts

    /// A shorter title for narrow panels.
    public var shortTitle: String {
        switch self {
        case .successRate: return "Refresh success"
        case .lifetime: return "Token lifetime"
        case .latency: return "Latency p99"
        case .fallback: return "Fallback usage"
        case .breaker: return "Circuit breaker"
        case .conflicts: return "Conflicts"
        }
    }

    /// The panel's title, as the seed names it.
    public var title: String {
        switch self {
        case .successRate: return "Token refresh success rate"
        case .lifetime: return "Token lifetime"
        case .latency: return "Refresh latency p99"
        case .fallback: return "Fallback usage"
        case .breaker: return "Circuit breaker"
        case .conflicts: return "Refresh conflicts"
        }
    }
}
