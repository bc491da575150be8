/// One series of a range query's result (a matrix): its labels and its points, oldest first.
public struct RangeSeries: Sendable, Hashable {
    /// One value of the series at one step.
    public struct Point: Sendable, Hashable {
        /// Milliseconds since the epoch: the step's time.
        public var time: Int64
        public var value: Double

        public init(time: Int64, value: Double) {
            self.time = time
            self.value = value
        }
    }

    public var labels: Labels
    public var points: [Point]

    public init(labels: Labels, points: [Point]) {
        self.labels = labels
        self.points = points
    }
}

extension Evaluator {
    /// Evaluates `expression` as a range query, as Prometheus's `/api/v1/query_range` does: at every step
    /// `start, start + step, ...` up to and including `end`, each an instant evaluation.
    ///
    /// A step where a series has no value leaves no point (Prometheus's matrix has no gaps filled). A scalar
    /// result gives one series without labels. Series are ordered by their labels.
    ///
    /// - Parameters:
    ///   - expression: A parsed expression of scalar or instant-vector type.
    ///   - start: The first step's time (milliseconds since the epoch).
    ///   - end: The last time a step may have (inclusive).
    ///   - step: Milliseconds between steps (positive).
    /// - Returns: The matrix; empty when `end < start`.
    /// - Throws: ``EvaluationError`` for a string expression, a step that is not positive, or when an instant
    ///   evaluation fails.
    public func evaluateRange(
        _ expression: RuleExpression,
        start: Int64,
        end: Int64,
        step: Int64
    ) throws(EvaluationError) -> [RangeSeries] {
        guard step > 0 else {
            throw EvaluationError("a range query needs a positive step")
        }
        guard expression.valueType == .vector || expression.valueType == .scalar else {
            throw EvaluationError(
                "invalid expression type \"\(expression.valueType.rawValue)\" for range query, must be scalar or"
                    + " instant vector")
        }
        var indices: [Labels: Int] = [:]
        var result: [RangeSeries] = []
        var time = start
        while time <= end {
            for element in try self.evaluate(expression, at: time).elements {
                let point = RangeSeries.Point(time: time, value: element.value)
                if let index = indices[element.labels] {
                    result[index].points.append(point)
                } else {
                    indices[element.labels] = result.count
                    result.append(RangeSeries(labels: element.labels, points: [point]))
                }
            }
            let (next, overflow) = time.addingReportingOverflow(step)
            if overflow { break }
            time = next
        }
        return result.sorted { $0.labels < $1.labels }
    }
}
