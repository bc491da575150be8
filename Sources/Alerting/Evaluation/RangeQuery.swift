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
        try self.evaluateRange([expression], start: start, end: end, step: step)[0].get()
    }

    /// Evaluates several expressions as range queries over the same steps, each as
    /// ``evaluateRange(_:start:end:step:)-(RuleExpression,_,_,_)`` does, reading a range function's or an
    /// aggregation's input once per step where they repeat it.
    ///
    /// - Returns: One matrix or failure per expression, in order.
    public func evaluateRange(
        _ expressions: [RuleExpression],
        start: Int64,
        end: Int64,
        step: Int64
    ) -> [Result<[RangeSeries], EvaluationError>] {
        var failures: [EvaluationError?] = expressions.map { expression in
            guard step > 0 else {
                return EvaluationError("a range query needs a positive step")
            }
            guard expression.valueType == .vector || expression.valueType == .scalar else {
                return EvaluationError(
                    "invalid expression type \"\(expression.valueType.rawValue)\" for range query, must be scalar or"
                        + " instant vector")
            }
            return nil
        }
        var matrices = [Matrix](repeating: Matrix(), count: expressions.count)
        var time = start
        while step > 0, time <= end {
            let evaluator = self.sharing()
            for index in expressions.indices where failures[index] == nil {
                do throws(EvaluationError) {
                    matrices[index].append(try evaluator.evaluate(expressions[index], at: time).elements, at: time)
                } catch {
                    failures[index] = error
                }
            }
            let (next, overflow) = time.addingReportingOverflow(step)
            if overflow { break }
            time = next
        }
        return expressions.indices.map { index in
            if let failure = failures[index] {
                return .failure(failure)
            }
            return .success(matrices[index].series.sorted { $0.labels < $1.labels })
        }
    }

    /// A range query's result while its steps are evaluated.
    private struct Matrix {
        var indices: [Labels: Int] = [:]
        var series: [RangeSeries] = []

        mutating func append(_ elements: [VectorElement], at time: Int64) {
            for element in elements {
                let point = RangeSeries.Point(time: time, value: element.value)
                if let index = self.indices[element.labels] {
                    self.series[index].points.append(point)
                } else {
                    self.indices[element.labels] = self.series.count
                    self.series.append(RangeSeries(labels: element.labels, points: [point]))
                }
            }
        }
    }
}
