import Foundation

/// Binary operators between scalars and vectors: arithmetic, comparisons (filtering, or 0/1 with `bool`),
/// and the set operators, with one-to-one, many-to-one and one-to-many matching on label signatures, as in
/// Prometheus.
enum BinaryEvaluation {
    static func apply(
        _ op: BinaryOperator,
        _ lhs: Evaluator.Value,
        _ rhs: Evaluator.Value,
        matching: VectorMatching?,
        returnsBool: Bool
    ) throws(EvaluationError) -> Evaluator.Value {
        switch (lhs, rhs) {
        case (.scalar(let left), .scalar(let right)):
            let (value, keep) = self.operate(op, left, right)
            return .scalar(op.isComparison ? (keep ? 1 : 0) : value)
        case (.vector(let elements), .scalar(let scalar)):
            return .vector(try self.vectorScalar(op, elements, scalar, swapped: false, returnsBool: returnsBool))
        case (.scalar(let scalar), .vector(let elements)):
            return .vector(try self.vectorScalar(op, elements, scalar, swapped: true, returnsBool: returnsBool))
        case (.vector(let left), .vector(let right)):
            let matching = matching ?? VectorMatching(cardinality: op.isSetOperator ? .manyToMany : .oneToOne)
            switch op {
            case .and: return .vector(self.and(left, right, matching))
            case .or: return .vector(self.or(left, right, matching))
            case .unless: return .vector(self.unless(left, right, matching))
            default: return .vector(try self.vectorVector(op, left, right, matching, returnsBool: returnsBool))
            }
        default:
            throw EvaluationError("operator \(op.rawValue) cannot be applied to a string")
        }
    }

    /// The value of `lhs op rhs`, and whether a comparison holds.
    static func operate(_ op: BinaryOperator, _ lhs: Double, _ rhs: Double) -> (Double, Bool) {
        switch op {
        case .add: (lhs + rhs, true)
        case .subtract: (lhs - rhs, true)
        case .multiply: (lhs * rhs, true)
        case .divide: (lhs / rhs, true)
        case .modulo: (fmod(lhs, rhs), true)
        case .power: (pow(lhs, rhs), true)
        case .equal: (lhs, lhs == rhs)
        case .notEqual: (lhs, lhs != rhs)
        case .greater: (lhs, lhs > rhs)
        case .less: (lhs, lhs < rhs)
        case .greaterOrEqual: (lhs, lhs >= rhs)
        case .lessOrEqual: (lhs, lhs <= rhs)
        case .and, .or, .unless: (lhs, true)
        }
    }

    private static func dropsMetricName(_ op: BinaryOperator, returnsBool: Bool) -> Bool {
        returnsBool || !op.isComparison
    }

    private static func vectorScalar(
        _ op: BinaryOperator,
        _ elements: [VectorElement],
        _ scalar: Double,
        swapped: Bool,
        returnsBool: Bool
    ) throws(EvaluationError) -> [VectorElement] {
        var result: [VectorElement] = []
        result.reserveCapacity(elements.count)
        let dropName = self.dropsMetricName(op, returnsBool: returnsBool)
        for element in elements {
            let (left, right) = swapped ? (scalar, element.value) : (element.value, scalar)
            var (value, keep) = self.operate(op, left, right)
            if op.isComparison {
                // The vector's value is kept even when the scalar is on the left.
                value = element.value
                if returnsBool {
                    value = keep ? 1 : 0
                    keep = true
                }
            }
            guard keep else { continue }
            result.append(
                VectorElement(labels: dropName ? element.labels.droppingMetricName : element.labels, value: value))
        }
        // Elements that differ only by name now collide: Prometheus 3 refuses them (`rangeEval`).
        return dropName ? try Evaluator.distinct(result, in: "operator \(op.rawValue)") : result
    }

    /// The labels that decide which elements match: `on(...)` keeps the listed ones, otherwise every label
    /// but the metric name and the `ignoring(...)` ones.
    static func signature(_ labels: Labels, _ matching: VectorMatching) -> Labels {
        matching.on ? labels.keeping(matching.labels) : labels.removing(matching.labels + [Labels.metricNameLabel])
    }

    private static func vectorVector(
        _ op: BinaryOperator,
        _ lhs: [VectorElement],
        _ rhs: [VectorElement],
        _ matching: VectorMatching,
        returnsBool: Bool
    ) throws(EvaluationError) -> [VectorElement] {
        // Nothing can match: Prometheus 3's `VectorBinop` returns before looking at either side (so duplicates on
        // the "one" side are no error then).
        guard !lhs.isEmpty, !rhs.isEmpty else { return [] }
        // For one-to-many, swap the sides so the "one" side is always on the right.
        let swapped = matching.cardinality == .oneToMany
        let (many, one) = swapped ? (rhs, lhs) : (lhs, rhs)
        var oneSide: [Labels: VectorElement] = [:]
        for element in one {
            let signature = self.signature(element.labels, matching)
            if let existing = oneSide[signature] {
                let side = swapped ? "left" : "right"
                throw EvaluationError(
                    "found duplicate series for the match group \(signature) on the \(side) hand-side of the "
                        + "operation: "
                        + "[\(existing.labels), \(element.labels)]; many-to-many matching not allowed: "
                        + "matching labels must be unique on one side"
                )
            }
            oneSide[signature] = element
        }
        var matchedSignatures: [Labels: Labels] = [:]
        var result: [VectorElement] = []
        let dropName = self.dropsMetricName(op, returnsBool: returnsBool)
        for element in many {
            let signature = self.signature(element.labels, matching)
            guard let other = oneSide[signature] else { continue }
            let (left, right) = swapped ? (other.value, element.value) : (element.value, other.value)
            var (value, keep) = self.operate(op, left, right)
            if returnsBool {
                value = keep ? 1 : 0
                keep = true
            }
            var labels = dropName ? element.labels.droppingMetricName : element.labels
            // Matches are checked before a comparison filters them out, as in Prometheus 3's `VectorBinop`.
            if matching.cardinality == .oneToOne {
                labels = matching.on ? labels.keeping(matching.labels) : labels.removing(matching.labels)
                if matchedSignatures[signature] != nil {
                    throw EvaluationError(
                        "multiple matches for labels \(signature): many-to-one matching must be explicit "
                            + "(group_left/group_right)"
                    )
                }
                matchedSignatures[signature] = labels
            } else {
                for name in matching.include {
                    labels = labels.setting(name, to: other.labels[name])
                }
                if let previous = matchedSignatures[labels], previous == signature {
                    throw EvaluationError(
                        "multiple matches for labels \(labels): grouping labels must ensure unique matches"
                    )
                }
                matchedSignatures[labels] = signature
            }
            guard keep else { continue }
            result.append(VectorElement(labels: labels, value: value))
        }
        return try Evaluator.distinct(result, in: "operator \(op.rawValue)")
    }

    private static func and(
        _ lhs: [VectorElement], _ rhs: [VectorElement], _ matching: VectorMatching
    ) -> [VectorElement] {
        let right = Set(rhs.map { self.signature($0.labels, matching) })
        return lhs.filter { right.contains(self.signature($0.labels, matching)) }
    }

    private static func or(
        _ lhs: [VectorElement], _ rhs: [VectorElement], _ matching: VectorMatching
    ) -> [VectorElement] {
        let left = Set(lhs.map { self.signature($0.labels, matching) })
        return lhs + rhs.filter { !left.contains(self.signature($0.labels, matching)) }
    }

    private static func unless(
        _ lhs: [VectorElement], _ rhs: [VectorElement], _ matching: VectorMatching
    ) -> [VectorElement] {
        let right = Set(rhs.map { self.signature($0.labels, matching) })
        return lhs.filter { !right.contains(self.signature($0.labels, matching)) }
    }
}
