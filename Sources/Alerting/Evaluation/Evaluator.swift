import Telemetry

/// Evaluates rule expressions at a point in time over a ``SeriesSource``, with Prometheus 3 semantics:
/// instant selectors look back ``lookbackDelta`` (5 minutes) over `(t - 5m, t]`, range selectors read the
/// left-open window `(t - range, t]`, `rate`/`increase`/`delta` extrapolate as Prometheus's
/// `extrapolatedRate` does and counters' resets are added back.
///
/// A selector reads exactly the metric name it gives, unless the caller hands in a ``MetricAliases`` table: then a
/// name without series reads the first of its alternatives that has series.
public struct Evaluator: Sendable {
    /// Where series are read from.
    public let source: any SeriesSource
    /// How far back an instant selector looks for a sample, in milliseconds.
    public var lookbackDelta: Int64
    /// The step of a subquery written without one (`expr[5m:]`): the evaluation interval, milliseconds.
    public var defaultSubqueryStep: Int64
    /// Other names a selector's metric name may resolve to (none by default: plain Prometheus).
    public var aliases: MetricAliases
    /// The results kept while several expressions are evaluated together (``evaluate(_:at:)-([RuleExpression],_)``).
    var shared: SharedResults?

    /// Creates an evaluator.
    ///
    /// - Parameters:
    ///   - source: Where series are read from.
    ///   - lookbackDelta: How far back an instant selector looks (default 5 minutes).
    ///   - defaultSubqueryStep: The step of a subquery written without one (default 1 minute).
    ///   - aliases: Other names a selector's metric name may resolve to when it has no series itself; the same
    ///     table the expressions were parsed with.
    public init(
        source: any SeriesSource,
        lookbackDelta: Int64 = 5 * 60_000,
        defaultSubqueryStep: Int64 = 60_000,
        aliases: MetricAliases = .none
    ) {
        self.source = source
        self.lookbackDelta = lookbackDelta
        self.defaultSubqueryStep = max(1, defaultSubqueryStep)
        self.aliases = aliases
    }

    /// Evaluates `expression` at `time`.
    ///
    /// - Parameters:
    ///   - expression: A parsed expression.
    ///   - time: Milliseconds since the epoch.
    /// - Returns: A scalar, a vector ordered by labels, or a string.
    /// - Throws: ``EvaluationError`` when the data make the expression invalid (duplicate series on the
    ///   "one" side of a match, a range vector as the result).
    public func evaluate(_ expression: RuleExpression, at time: Int64) throws(EvaluationError) -> QueryValue {
        switch try self.evaluate(expression.root, at: time) {
        case .scalar(let value): return .scalar(value)
        case .string(let value): return .string(value)
        case .vector(var elements):
            elements.sort { $0.labels < $1.labels }
            return .vector(elements)
        }
    }

    /// Intermediate values (range vectors never leave the functions that read them).
    enum Value {
        case scalar(Double)
        case vector([VectorElement])
        case string(String)
    }

    /// Evaluates several expressions at `time`, each as ``evaluate(_:at:)`` does, reading a range function's or
    /// an aggregation's input once where they repeat it (a dashboard's queries ask for the same
    /// `increase(x[1m])` many times).
    ///
    /// - Returns: One result per expression, in order.
    public func evaluate(_ expressions: [RuleExpression], at time: Int64) -> [Result<QueryValue, EvaluationError>] {
        let evaluator = self.sharing()
        return expressions.map { expression -> Result<QueryValue, EvaluationError> in
            do throws(EvaluationError) {
                return .success(try evaluator.evaluate(expression, at: time))
            } catch {
                return .failure(error)
            }
        }
    }

    /// This evaluator keeping its subexpressions' results (a new set of them).
    func sharing() -> Evaluator {
        var evaluator = self
        evaluator.shared = SharedResults()
        return evaluator
    }

    func evaluate(_ node: Node, at time: Int64) throws(EvaluationError) -> Value {
        guard let shared = self.shared, node.isWorthSharing else {
            return try self.evaluateNode(node, at: time)
        }
        let key = SharedResults.Key(node: node, time: time)
        if let value = shared.values[key] {
            return value
        }
        let value = try self.evaluateNode(node, at: time)
        shared.values[key] = value
        return value
    }

    private func evaluateNode(_ node: Node, at time: Int64) throws(EvaluationError) -> Value {
        switch node {
        case .number(let value):
            return .scalar(value)
        case .string(let value):
            return .string(value)
        case .parenthesis(let inner):
            return try self.evaluate(inner, at: time)
        case .negation(let inner):
            switch try self.evaluate(inner, at: time) {
            case .scalar(let value): return .scalar(-value)
            case .vector(let elements):
                let negated = elements.map { VectorElement(labels: $0.labels.droppingMetricName, value: -$0.value) }
                return .vector(try Self.distinct(negated, in: "unary minus"))
            case .string(let value): return .string(value)
            }
        case .vectorSelector(let selector):
            return .vector(self.instantVector(selector, at: time))
        case .matrixSelector, .subquery:
            throw EvaluationError(
                "a range vector cannot be the result of an expression; apply a function such as rate()")
        case .call(let function, let arguments):
            return try self.call(function, arguments, at: time)
        case .aggregation(let op, let argument, let parameter, let grouping, let without):
            guard case .vector(let elements) = try self.evaluate(argument, at: time) else {
                throw EvaluationError("\(op.rawValue): expected an instant vector")
            }
            var parameterValue: Double?
            if let parameter, case .scalar(let value) = try self.evaluate(parameter, at: time) {
                parameterValue = value
            }
            return .vector(
                Aggregation.apply(op, elements, parameter: parameterValue, grouping: grouping, without: without))
        case .binary(let op, let lhs, let rhs, let matching, let returnsBool):
            let left = try self.evaluate(lhs, at: time)
            let right = try self.evaluate(rhs, at: time)
            return try BinaryEvaluation.apply(op, left, right, matching: matching, returnsBool: returnsBool)
        }
    }

    // MARK: - Selectors

    /// The metric names a selector reads: its literal name (or an alias that has series), or every name its
    /// `__name__` matchers accept.
    func metricNames(for selector: VectorSelector) -> [String] {
        guard let name = selector.name else {
            let nameMatchers = selector.matchers.filter { $0.name == Labels.metricNameLabel }
            return self.source.metricNames().filter { candidate in nameMatchers.allSatisfy { $0.matches(candidate) } }
        }
        // Without aliases a name without series reads nothing either way: no need to ask the source first.
        if self.aliases.isEmpty || self.source.hasSeries(named: name) {
            return [name]
        }
        for alias in self.aliases.alternatives(for: name) where self.source.hasSeries(named: alias) {
            return [alias]
        }
        return []
    }

    /// Calls `body` for every series the selector matches, with its labels and its samples in
    /// `(end - length, end]`.
    ///
    /// - Parameter keepingName: Whether the labels have the metric name; without it (for a function that drops
    ///   it) they are the collector's own, not copied.
    func forEachSeries(
        _ selector: VectorSelector,
        windowEnd end: Int64,
        length: Int64,
        keepingName: Bool = true,
        _ body: (Labels, SampleWindow) -> Void
    ) {
        let labelMatchers = selector.matchers.filter { $0.name != Labels.metricNameLabel }
        let lower = end - length + 1
        guard lower <= end else { return }
        for name in self.metricNames(for: selector) {
            self.source.forEachSeries(named: name, in: lower...end) { pairs, window in
                guard window.count > 0 else { return }
                for matcher in labelMatchers {
                    let value = pairs.first { $0.name == matcher.name }?.value ?? ""
                    guard matcher.matches(value) else { return }
                }
                body(keepingName ? Labels(name: name, labels: pairs) : Labels(withoutName: pairs), window)
            }
        }
    }

    func instantVector(_ selector: VectorSelector, at time: Int64) -> [VectorElement] {
        var result: [VectorElement] = []
        self.forEachSeries(selector, windowEnd: time - selector.offset, length: self.lookbackDelta) { labels, window in
            let value = window.value(window.count - 1)
            if !StaleMarker.isStale(value) {
                result.append(VectorElement(labels: labels, value: value))
            }
        }
        return result
    }

    // MARK: - Functions

    private func call(_ function: Function, _ arguments: [Node], at time: Int64) throws(EvaluationError) -> Value {
        if function.isRangeFunction {
            let rangeIndex = function.rangeArgumentIndex
            guard rangeIndex < arguments.count else {
                throw EvaluationError("\(function.rawValue)() needs a range selector such as metric[5m]")
            }
            var parameter: Double?
            for (index, argument) in arguments.enumerated() where index != rangeIndex {
                guard case .scalar(let value) = try self.evaluate(argument, at: time) else {
                    throw EvaluationError("\(function.rawValue)() expects a scalar parameter")
                }
                parameter = value
            }
            switch Self.unwrap(arguments[rangeIndex]) {
            case .matrixSelector(let selector, let range):
                return .vector(try self.rangeFunction(function, selector, range: range, parameter: parameter, at: time))
            case .subquery(let inner, let range, let step, let offset):
                return .vector(
                    try self.subqueryFunction(
                        function, inner, range: range, step: step, offset: offset, parameter: parameter, at: time
                    )
                )
            default:
                throw EvaluationError("\(function.rawValue)() needs a range selector such as metric[5m]")
            }
        }
        if function == .labelReplace || function == .labelJoin {
            var strings: [String] = []
            for argument in arguments.dropFirst() {
                guard case .string(let text) = try self.evaluate(argument, at: time) else {
                    throw EvaluationError("\(function.rawValue)() expects string parameters")
                }
                strings.append(text)
            }
            let elements = try self.vectorArgument(arguments[0], at: time)
            let relabelled = try LabelFunctions.apply(function, elements, strings)
            return .vector(try Self.distinct(relabelled, function: function))
        }
        switch function {
        case .time:
            return .scalar(Double(time) / 1000)
        case .vector:
            guard case .scalar(let value) = try self.evaluate(arguments[0], at: time) else {
                throw EvaluationError("vector() expects a scalar")
            }
            return .vector([VectorElement(labels: .empty, value: value)])
        case .scalar:
            let elements = try self.vectorArgument(arguments[0], at: time)
            return .scalar(elements.count == 1 ? elements[0].value : .nan)
        case .absent:
            guard try self.vectorArgument(arguments[0], at: time).isEmpty else { return .vector([]) }
            var labels = Labels.empty
            if case .vectorSelector(let selector) = Self.unwrap(arguments[0]) {
                labels = Self.equalityLabels(selector)
            }
            return .vector([VectorElement(labels: labels, value: 1)])
        case .histogramQuantile:
            guard case .scalar(let q) = try self.evaluate(arguments[0], at: time) else {
                throw EvaluationError("histogram_quantile() expects a scalar quantile")
            }
            return .vector(BucketQuantile.histogramQuantile(q, try self.vectorArgument(arguments[1], at: time)))
        default:
            var scalars: [Double] = []
            for argument in arguments.dropFirst() {
                guard case .scalar(let value) = try self.evaluate(argument, at: time) else {
                    throw EvaluationError("\(function.rawValue)() expects scalar parameters")
                }
                scalars.append(value)
            }
            let elements = try self.vectorArgument(arguments[0], at: time)
            return .vector(try Self.distinct(InstantFunctions.apply(function, elements, scalars), function: function))
        }
    }

    private func vectorArgument(_ node: Node, at time: Int64) throws(EvaluationError) -> [VectorElement] {
        guard case .vector(let elements) = try self.evaluate(node, at: time) else {
            throw EvaluationError("expected an instant vector")
        }
        return elements
    }

    private func rangeFunction(
        _ function: Function,
        _ selector: VectorSelector,
        range: Int64,
        parameter: Double?,
        at time: Int64
    ) throws(EvaluationError) -> [VectorElement] {
        var result: [VectorElement] = []
        let end = time - selector.offset
        if function == .absentOverTime {
            var any = false
            self.forEachSeries(selector, windowEnd: end, length: range) { _, window in
                any = any || RangeFunctions.hasSample(window)
            }
            return any ? [] : [VectorElement(labels: Self.equalityLabels(selector), value: 1)]
        }
        self.forEachSeries(selector, windowEnd: end, length: range, keepingName: function.keepsMetricName) {
            labels, window in
            guard
                let value = RangeFunctions.apply(
                    function, window, rangeStart: end - range, rangeEnd: end, parameter: parameter, evaluationTime: time
                )
            else {
                return
            }
            result.append(VectorElement(labels: labels, value: value))
        }
        return try Self.distinct(result, function: function)
    }

    /// A range function over a subquery: the inner expression evaluated at every multiple of the step in
    /// `(t - offset - range, t - offset]`, as Prometheus aligns subquery steps to absolute time.
    private func subqueryFunction(
        _ function: Function,
        _ inner: Node,
        range: Int64,
        step: Int64?,
        offset: Int64,
        parameter: Double?,
        at time: Int64
    ) throws(EvaluationError) -> [VectorElement] {
        let interval = step ?? self.defaultSubqueryStep
        let end = time - offset
        let rangeStart = end - range
        var start = interval * (rangeStart / interval)
        if start <= rangeStart {
            start += interval
        }
        var order: [Labels] = []
        var points: [Labels: (timestamps: [Int64], values: [Double])] = [:]
        var instant = start
        while instant <= end {
            guard case .vector(let elements) = try self.evaluate(inner, at: instant) else {
                throw EvaluationError("a subquery needs an instant vector")
            }
            for element in elements {
                if points[element.labels] == nil {
                    order.append(element.labels)
                    points[element.labels] = ([], [])
                }
                points[element.labels]?.timestamps.append(instant)
                points[element.labels]?.values.append(element.value)
            }
            instant += interval
        }
        if function == .absentOverTime {
            let labels: Labels
            if case .vectorSelector(let selector) = Self.unwrap(inner) {
                labels = Self.equalityLabels(selector)
            } else {
                labels = .empty
            }
            return order.isEmpty ? [VectorElement(labels: labels, value: 1)] : []
        }
        var result: [VectorElement] = []
        for labels in order {
            guard let series = points[labels] else { continue }
            let value = series.timestamps.withUnsafeBufferPointer { timestamps in
                series.values.withUnsafeBufferPointer { values in
                    RangeFunctions.apply(
                        function,
                        SampleWindow(timestamps: timestamps, values: values),
                        rangeStart: rangeStart,
                        rangeEnd: end,
                        parameter: parameter,
                        evaluationTime: time
                    )
                }
            }
            if let value {
                result.append(
                    VectorElement(labels: function.keepsMetricName ? labels : labels.droppingMetricName, value: value))
            }
        }
        return try Self.distinct(result, function: function)
    }

    /// The labels of `absent`'s and `absent_over_time`'s element, as Prometheus's
    /// `createLabelsForAbsentFunction`: a label's first `=` matcher gives its value, and any other matcher of
    /// the same label (`x{job="a", job="b"}`, `x{job="a", job=~"a"}`) removes it.
    private static func equalityLabels(_ selector: VectorSelector) -> Labels {
        var labels = Labels.empty
        var has: Set<String> = []
        for matcher in selector.matchers where matcher.name != Labels.metricNameLabel {
            if matcher.kind == .equal, !has.contains(matcher.name) {
                labels = labels.setting(matcher.name, to: matcher.value)
                has.insert(matcher.name)
            } else {
                labels = labels.removing([matcher.name])
            }
        }
        return labels
    }

    /// Prometheus refuses a result with two elements of the same labels (after a function dropped names).
    private static func distinct(
        _ elements: [VectorElement], function: Function
    ) throws(EvaluationError) -> [VectorElement] {
        try self.distinct(elements, in: "\(function.rawValue)()")
    }

    /// Prometheus 3 (without the experimental `promql-delayed-name-removal`) drops the metric name where a
    /// function or operator changes the value, and refuses a result in which two elements then have the same
    /// labels: "vector cannot contain metrics with the same labelset" (`rangeEval` and the range-function path
    /// of `eval` in promql/engine.go), even inside an aggregation that would have merged them.
    static func distinct(_ elements: [VectorElement], in context: String) throws(EvaluationError) -> [VectorElement] {
        guard elements.count > 1 else { return elements }
        var seen = Set<Labels>(minimumCapacity: elements.count)
        for element in elements where !seen.insert(element.labels).inserted {
            throw EvaluationError("\(context): vector cannot contain metrics with the same labelset \(element.labels)")
        }
        return elements
    }

    static func unwrap(_ node: Node) -> Node {
        if case .parenthesis(let inner) = node {
            return self.unwrap(inner)
        }
        return node
    }
}

/// The values of subexpressions at their evaluation times, kept while one caller evaluates several expressions
/// over the same data (``Evaluator/evaluate(_:at:)-([RuleExpression],_)``, a range query's steps).
///
/// It is only ever used by the evaluation that made it, on one thread, and never outlives it: hence
/// `@unchecked Sendable`, so that ``Evaluator`` stays a Sendable value.
final class SharedResults: @unchecked Sendable {
    struct Key: Hashable {
        var node: Node
        var time: Int64
    }

    var values: [Key: Evaluator.Value] = [:]
}

extension Node {
    /// Whether a node reads series or merges them (a range function, an aggregation, `histogram_quantile`):
    /// worth keeping when it repeats. Cheaper nodes are evaluated again rather than hashed.
    var isWorthSharing: Bool {
        switch self {
        case .call(let function, _): function.isRangeFunction || function == .histogramQuantile
        case .aggregation: true
        default: false
        }
    }
}
