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

    /// Several expressions over the same steps, one result each, in order. A source that can share work between
    /// them does (the evaluator reads a selection the expressions repeat once per step); by default each is
    /// asked on its own.
    func queryRange(_ queries: [String], start: Int64, end: Int64, step: Int64) async
        -> [Result<[RangeSeries], any Error>]

    /// Several expressions at `time`, one result each, in order, sharing work as the range queries do.
    func query(_ queries: [String], at time: Int64) async -> [Result<[VectorElement], any Error>]
}

extension PanelQuerySource {
    public func queryRange(_ queries: [String], start: Int64, end: Int64, step: Int64) async
        -> [Result<[RangeSeries], any Error>]
    {
        var results: [Result<[RangeSeries], any Error>] = []
        for query in queries {
            do {
                results.append(.success(try await self.queryRange(query, start: start, end: end, step: step)))
            } catch {
                results.append(.failure(error))
            }
        }
        return results
    }

    public func query(_ queries: [String], at time: Int64) async -> [Result<[VectorElement], any Error>] {
        var results: [Result<[VectorElement], any Error>] = []
        for query in queries {
            do {
                results.append(.success(try await self.query(query, at: time)))
            } catch {
                results.append(.failure(error))
            }
        }
        return results
    }
}
