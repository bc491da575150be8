/// One element of an instant vector: a series' labels and its value at the evaluation time.
public struct VectorElement: Sendable, Hashable {
    public var labels: Labels
    public var value: Double

    public init(labels: Labels, value: Double) {
        self.labels = labels
        self.value = value
    }
}

/// The result of evaluating an expression at one time.
public enum QueryValue: Sendable, Hashable {
    case scalar(Double)
    /// Elements ordered by labels.
    case vector([VectorElement])
    case string(String)

    /// The elements of a vector result, or one unlabelled element for a scalar.
    public var elements: [VectorElement] {
        switch self {
        case .vector(let elements): elements
        case .scalar(let value): [VectorElement(labels: .empty, value: value)]
        case .string: []
        }
    }
}

/// Evaluation failed on the data (e.g. many-to-many matching), not on the expression's shape.
public struct EvaluationError: Error, Hashable, Sendable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { self.message }
}
