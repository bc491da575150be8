import Alerting

/// Where the dashboard's panels get their series: anything that answers PromQL range and instant queries.
///
/// The program's own evaluator over the Telemetry series today (``EvaluatorQuerySource``); a daemon's socket
/// or a Prometheus server's `/api/v1/query_range` and `/api/v1/query` can answer the same text later.
public protocol PanelQuerySource: Sendable {
    /// The expression evaluated at every step `start, start + step, ...` up to `end` (milliseconds), as
    /// `/api/v1/query_range` does.
    func queryRange(_ query: String, start: Int64, end: Int64, step: Int64) async throws -> [RangeSeries]

    /// The expression evaluated at `time` (milliseconds), as `/api/v1/query` does.
    func query(_ query: String, at time: Int64) async throws -> [VectorElement]
}
