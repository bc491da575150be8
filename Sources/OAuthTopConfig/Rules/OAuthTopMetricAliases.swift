import Alerting
import TokenManager

extension MetricAliases {
    /// oauthtop's spellings, which the seed's rules use and the runtime, `oauthtop rules check` and
    /// `oauthtop rules test` hand to the rule engine.
    ///
    /// A metric name without series is also tried with `_total` appended, with the `oauth_` prefix, and with
    /// both, so `rate(fallback_auth_used[1h])` reads `oauth_fallback_auth_used_total`; and the breaker's state
    /// may be compared with its name: `oauth_circuit_breaker_state == "open"` (also `circuit_breaker_state`).
    public static let oauthTop = MetricAliases(
        affixes: [
            Affix(suffix: "_total"),
            Affix(prefix: "oauth_"),
            Affix(prefix: "oauth_", suffix: "_total"),
        ],
        stateNames: ["oauth_circuit_breaker_state": breakerStateNames]
    )

    /// `closed` 0, `half_open` (or `half-open`) 1, `open` 2: the gauge values of ``BreakerState``.
    private static let breakerStateNames: [String: Double] = {
        var names: [String: Double] = [:]
        for state in [BreakerState.closed, .halfOpen, .open] {
            names[state.rawValue] = Double(state.gaugeValue)
        }
        names["half-open"] = Double(BreakerState.halfOpen.gaugeValue)
        return names
    }()
}
