import Alerting
import Synchronization

/// Answers panel queries in process, with the rule evaluator over a series source (the Telemetry collector,
/// and the rule output store for recording rules and `ALERTS`).
public final class EvaluatorQuerySource: PanelQuerySource {
    private let evaluator: Evaluator
    /// Parsed expressions by text: the panels ask the same few every second.
    private let parsed = Mutex<[String: RuleExpression]>([:])

    /// Creates a source.
    ///
    /// - Parameter source: The series the queries read.
    public init(source: any SeriesSource) {
        self.evaluator = Evaluator(source: source)
    }

    public func queryRange(_ query: String, start: Int64, end: Int64, step: Int64) throws -> [RangeSeries] {
        try self.evaluator.evaluateRange(try self.expression(query), start: start, end: end, step: step)
    }

    public func query(_ query: String, at time: Int64) throws -> [VectorElement] {
        try self.evaluator.evaluate(try self.expression(query), at: time).elements
    }

    public func queryRange(_ queries: [String], start: Int64, end: Int64, step: Int64)
        -> [Result<[RangeSeries], any Error>]
    {
        let parsed = queries.map { query in Result { try self.expression(query) } }
        let expressions = parsed.compactMap { try? $0.get() }
        var results = self.evaluator.evaluateRange(expressions, start: start, end: end, step: step).makeIterator()
        return parsed.map { parsed in
            parsed.flatMap { _ in results.next()!.mapError { $0 as any Error } }
        }
    }

    public func query(_ queries: [String], at time: Int64) -> [Result<[VectorElement], any Error>] {
        let parsed = queries.map { query in Result { try self.expression(query) } }
        let expressions = parsed.compactMap { try? $0.get() }
        var results = self.evaluator.evaluate(expressions, at: time).makeIterator()
        return parsed.map { parsed in
            parsed.flatMap { _ in results.next()!.map(\.elements).mapError { $0 as any Error } }
        }
    }

    private func expression(_ text: String) throws -> RuleExpression {
        if let expression = self.parsed.withLock({ $0[text] }) { return expression }
        let expression = try RuleExpression.parse(text)
        self.parsed.withLock { parsed in
            // The texts change only with the range and the width; keep the set small regardless.
            if parsed.count > 256 { parsed.removeAll() }
            parsed[text] = expression
        }
        return expression
    }
}
