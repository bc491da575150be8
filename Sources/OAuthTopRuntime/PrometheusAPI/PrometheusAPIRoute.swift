/// The endpoints of Prometheus's HTTP API v1 the daemon's token socket serves, named by their last path segment.
public enum PrometheusAPIRoute: String, Sendable, Hashable, CaseIterable {
    /// `/api/v1/query`: an instant query (`query`, `time`).
    case query
    /// `/api/v1/query_range`: a range query (`query`, `start`, `end`, `step`).
    case queryRange = "query_range"
    /// `/api/v1/alerts`: the pending and firing alerts.
    case alerts

    /// The request path, e.g. `/api/v1/query_range`.
    public var path: String { "/api/v1/" + self.rawValue }
}
