/// A provider's circuit breaker as the dashboard shows it, with the value of `oauth_circuit_breaker_state`.
public enum BreakerStatus: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// Rounds run normally (gauge 0).
    case closed
    /// One probe round is let through (gauge 1).
    case halfOpen = "half_open"
    /// No request leaves the process until the cool-down ends (gauge 2).
    case open

    /// The gauge value: 0 closed, 1 half-open, 2 open; also how bad it is, for sorting.
    public var gaugeValue: Int {
        switch self {
        case .closed: 0
        case .halfOpen: 1
        case .open: 2
        }
    }

    public var description: String { self.rawValue }
}
