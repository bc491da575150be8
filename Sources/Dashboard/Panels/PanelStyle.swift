/// How a panel draws the series of its queries: which series is the headline, what the graph shows and what
/// the lines under it say.
///
/// The first six are the seed's panels (their series in the order their queries give them); ``graph`` draws
/// any panel a user defines; ``api`` is the default dashboard's API calls panel.
public enum PanelStyle: String, Sendable, Hashable, Codable, CaseIterable {
    /// A share (0...1) coloured by health: the first series is the headline and graph, each further series a
    /// line with a gauge (the success rate).
    case ratio
    /// Tokens' remaining lifetime: the first series is the headline (an average lifetime in seconds), each
    /// further series a provider's seconds until expiry, the selected one graphed (token lifetime).
    case lifetime
    /// Two quantiles in seconds: the first series is the headline and graph, the second the note (latency).
    case quantiles
    /// A count over the range in the panel's unit: the first series is the headline and graph, each further
    /// series a line (fallback usage).
    case count
    /// Each provider's circuit breaker: badges from the providers, the selected provider's series graphed
    /// (circuit breaker).
    case breaker
    /// A count over the range and its current rate per second: the first series is the headline (its value the
    /// count, its points the rate), each further series a line (refresh conflicts).
    case rate
    /// Any panel: the first series is the headline (its latest value in the panel's unit) and graph, each
    /// further series a line with its value.
    case graph
    /// API calls through oauthtop's proxies, its series found by their legends: `requests` (per second: the
    /// headline and graph), `errors` (the share of 4xx/5xx answers), `replays` (a count), `quota` (the
    /// highest quota used, a share) and `shed` (a count); any other series is a line with its figure. The
    /// figures follow the headline on its row when they fit (the default dashboard's full-width strip), else
    /// they are lines under the graph. Without proxy metrics it reads "no API calls yet".
    case api
}
