/// Names for the values of state gauges, so rules may write `oauth_circuit_breaker_state == "open"` as the
/// seed does. The parser turns such a string into the number it names.
enum StateNames {
    /// The circuit breaker's states: 0 closed, 1 half-open, 2 open.
    static let circuitBreaker: [String: Double] = ["closed": 0, "half_open": 1, "half-open": 1, "open": 2]

    static func table(forMetric name: String) -> [String: Double]? {
        switch name {
        case "oauth_circuit_breaker_state", "circuit_breaker_state": self.circuitBreaker
        default: nil
        }
    }
}
