/// A parsed rule expression: the syntax tree the evaluator walks.
///
/// Build one with ``Expression/parse(_:)``; the tree has been type-checked, so evaluation only fails on
/// data (e.g. many-to-many matching), never on shape.
public struct RuleExpression: Sendable, Hashable, CustomStringConvertible {
    /// The root node.
    let root: Node
    /// The expression as written.
    public let text: String

    /// Parses and type-checks an expression.
    ///
    /// - Parameters:
    ///   - text: The expression, e.g. `rate(http_requests_total[5m]) > 0.1`.
    ///   - aliases: State names a comparison with a string may use (`breaker_state == "open"`); the default,
    ///     ``MetricAliases/none``, is plain Prometheus. Hand the evaluator the same table.
    /// - Throws: ``ExpressionError`` naming the line, column and the expected token.
    public static func parse(_ text: String, aliases: MetricAliases = .none) throws(ExpressionError) -> RuleExpression {
        var parser = try Parser(text, aliases: aliases)
        let root = try parser.parseExpression()
        return RuleExpression(root: root, text: text)
    }

    /// The type of the value the expression produces.
    public var valueType: ValueType { self.root.type }

    public var description: String { self.text }
}

/// The types of rule-language values.
public enum ValueType: String, Sendable, Hashable {
    case scalar
    case vector = "instant vector"
    case matrix = "range vector"
    case string
}

/// A series selector: a metric name and label matchers, e.g. `up{job=~"api|web"}`.
struct VectorSelector: Sendable, Hashable {
    /// The literal metric name, when given before the braces or as `__name__="..."`.
    var name: String?
    /// Every matcher, the name's included.
    var matchers: [LabelMatcher]
    /// `offset` in milliseconds (positive looks back).
    var offset: Int64 = 0
}

/// Binary operators, by precedence group.
enum BinaryOperator: String, Sendable, Hashable {
    case add = "+", subtract = "-", multiply = "*", divide = "/", modulo = "%", power = "^"
    case equal = "==", notEqual = "!=", greater = ">", less = "<", greaterOrEqual = ">=", lessOrEqual = "<="
    case and, or, unless

    var isComparison: Bool {
        switch self {
        case .equal, .notEqual, .greater, .less, .greaterOrEqual, .lessOrEqual: true
        default: false
        }
    }

    var isSetOperator: Bool { self == .and || self == .or || self == .unless }

    /// Higher binds tighter.
    var precedence: Int {
        switch self {
        case .or: 1
        case .and, .unless: 2
        case .equal, .notEqual, .greater, .less, .greaterOrEqual, .lessOrEqual: 3
        case .add, .subtract: 4
        case .multiply, .divide, .modulo: 5
        case .power: 6
        }
    }

    var isRightAssociative: Bool { self == .power }
}

/// `on(...)`/`ignoring(...)` and `group_left`/`group_right` of a binary operation between vectors.
struct VectorMatching: Sendable, Hashable {
    enum Cardinality: Sendable, Hashable {
        case oneToOne, manyToOne, oneToMany, manyToMany
    }

    var cardinality: Cardinality = .oneToOne
    /// The labels listed in `on(...)` or `ignoring(...)`.
    var labels: [String] = []
    /// `true` for `on`, `false` for `ignoring` (or no clause).
    var on = false
    /// Extra labels copied from the "one" side by `group_left(...)`/`group_right(...)`.
    var include: [String] = []
}

/// Aggregation operators.
enum AggregationOperator: String, Sendable, Hashable, CaseIterable {
    case sum, avg, min, max, count, group, stddev, stdvar, topk, bottomk, quantile

    var takesParameter: Bool { self == .topk || self == .bottomk || self == .quantile }
}

/// The nodes of the syntax tree.
indirect enum Node: Sendable, Hashable {
    case number(Double)
    case string(String)
    case vectorSelector(VectorSelector)
    /// A range selector `sel[range]`; range in milliseconds.
    case matrixSelector(VectorSelector, range: Int64)
    /// A subquery `expr[range:step] offset d`: the expression evaluated every `step` (the default evaluation
    /// interval when `nil`) over the range; milliseconds.
    case subquery(Node, range: Int64, step: Int64?, offset: Int64)
    case call(Function, [Node])
    case aggregation(AggregationOperator, Node, parameter: Node?, grouping: [String], without: Bool)
    case binary(BinaryOperator, Node, Node, matching: VectorMatching?, returnsBool: Bool)
    case negation(Node)
    case parenthesis(Node)

    var type: ValueType {
        switch self {
        case .number: .scalar
        case .string: .string
        case .vectorSelector: .vector
        case .matrixSelector, .subquery: .matrix
        case .call(let function, _): function.returnType
        case .aggregation: .vector
        case .binary(_, let lhs, let rhs, _, _):
            lhs.type == .scalar && rhs.type == .scalar ? .scalar : .vector
        case .negation(let inner), .parenthesis(let inner): inner.type
        }
    }
}
