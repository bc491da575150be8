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
