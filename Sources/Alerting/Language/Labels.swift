import Telemetry

/// The label set of one series in the rule language: sorted by name, names unique, the metric name held
/// as the label `__name__` as in Prometheus.
public struct Labels: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The reserved label that holds the metric name.
    public static let metricNameLabel = "__name__"

    /// The labels, sorted by name.
    public private(set) var pairs: [LabelPair]

    /// An empty label set.
    public static let empty = Labels(sortedUnique: [])

    init(sortedUnique pairs: [LabelPair]) {
        self.pairs = pairs
    }

    /// Creates a label set; for a repeated name the last value wins. Empty values are dropped: in
    /// Prometheus a label with an empty value is the same as no label.
    public init(_ pairs: [LabelPair]) {
        // The evaluator makes a label set for every series it reads, every evaluation: a set that is already
        // in order (the collector keeps its series' labels sorted) is taken as it is, without a copy.
        if Self.isSortedUnique(pairs) {
            self.pairs = pairs
            return
        }
        var sorted = pairs
        sorted.removeAll { $0.value.isEmpty }
        Self.stableSortByName(&sorted)
        var unique = 0
        for pair in sorted {
            if unique > 0, sorted[unique - 1].name == pair.name {
                sorted[unique - 1] = pair
            } else {
                sorted[unique] = pair
                unique += 1
            }
        }
        sorted.removeLast(sorted.count - unique)
        self.pairs = sorted
    }

    /// Whether `pairs` are sorted by name with unique names and no empty value: a set as it is.
    private static func isSortedUnique(_ pairs: [LabelPair]) -> Bool {
        for index in pairs.indices {
            guard !pairs[index].value.isEmpty else { return false }
            if index > 0, !(pairs[index - 1].name < pairs[index].name) { return false }
        }
        return true
    }

    /// Sorts by name, keeping the order of equal names (so the last of a repeated name stays last): an
    /// insertion sort, as label sets are short and nearly sorted (a histogram's `le` appended at the end).
    private static func stableSortByName(_ pairs: inout [LabelPair]) {
        guard pairs.count > 1 else { return }
        for index in 1..<pairs.count {
            var position = index
            while position > 0, pairs[position].name < pairs[position - 1].name {
                pairs.swapAt(position, position - 1)
                position -= 1
            }
        }
    }

    /// Creates a label set from a dictionary.
    public init(_ labels: [String: String]) {
        self.init(labels.map { LabelPair(name: $0.key, value: $0.value) })
    }

    /// Creates the labels of a series named `name` with `labels` (their own `__name__`, if any, is replaced).
    public init(name: String, labels: [LabelPair]) {
        var pairs: [LabelPair] = []
        pairs.reserveCapacity(labels.count + 1)
        for pair in labels where pair.name != Self.metricNameLabel {
            pairs.append(pair)
        }
        pairs.append(LabelPair(name: Self.metricNameLabel, value: name))
        self.init(pairs)
    }

    /// Creates the labels of a series without its metric name: the set `Labels(name:labels:)` gives without
    /// `__name__`, made without adding the name and removing it again.
    public init(withoutName labels: [LabelPair]) {
        if labels.contains(where: { $0.name == Self.metricNameLabel }) {
            self.init(labels.filter { $0.name != Self.metricNameLabel })
        } else {
            self.init(labels)
        }
    }

    /// The value of a label, `""` when absent (as PromQL treats it).
    public subscript(name: String) -> String {
        for pair in self.pairs where pair.name == name {
            return pair.value
        }
        return ""
    }

    /// Whether `name` is a valid label name, `[a-zA-Z_][a-zA-Z0-9_]*`.
    public static func isValidLabelName(_ name: String) -> Bool {
        guard let first = name.utf8.first, Lexer.isIdentifierStart(first) else { return false }
        return name.utf8.allSatisfy { Lexer.isIdentifierStart($0) || Lexer.isDigit($0) }
    }

    /// Whether `name` is a valid metric name, `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    public static func isValidMetricName(_ name: String) -> Bool {
        guard let first = name.utf8.first, Lexer.isIdentifierStart(first) || first == UInt8(ascii: ":") else {
            return false
        }
        return name.utf8.allSatisfy(Lexer.isIdentifierPart)
    }

    /// The metric name, if the set has one.
    public var metricName: String? {
        let name = self[Self.metricNameLabel]
        return name.isEmpty ? nil : name
    }

    /// The labels as a dictionary.
    public var dictionary: [String: String] {
        Dictionary(self.pairs.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last })
    }

    /// This set without the metric name.
    public var droppingMetricName: Labels {
        guard let index = self.pairs.firstIndex(where: { $0.name == Self.metricNameLabel }) else { return self }
        var pairs = self.pairs
        pairs.remove(at: index)
        return Labels(sortedUnique: pairs)
    }

    /// This set without the given names.
    public func removing(_ names: some Collection<String>) -> Labels {
        Labels(sortedUnique: self.pairs.filter { !names.contains($0.name) })
    }

    /// Only the given names of this set.
    public func keeping(_ names: some Collection<String>) -> Labels {
        Labels(sortedUnique: self.pairs.filter { names.contains($0.name) })
    }

    /// This set with one label set (or removed, when `value` is empty).
    public func setting(_ name: String, to value: String) -> Labels {
        var pairs = self.pairs.filter { $0.name != name }
        if !value.isEmpty {
            pairs.append(LabelPair(name: name, value: value))
            pairs.sort { $0.name < $1.name }
        }
        return Labels(sortedUnique: pairs)
    }

    /// The set in Prometheus notation, e.g. `up{job="api", zone="a"}` or `{job="api"}` without a name.
    public var description: String {
        let inner = self.pairs.filter { $0.name != Self.metricNameLabel }
            .map { "\($0.name)=\"\(Self.escape($0.value))\"" }
            .joined(separator: ", ")
        let name = self.metricName ?? ""
        return inner.isEmpty && !name.isEmpty ? name : "\(name){\(inner)}"
    }

    public static func < (lhs: Labels, rhs: Labels) -> Bool {
        lhs.pairs.lexicographicallyPrecedes(rhs.pairs)
    }

    static func escape(_ value: String) -> String {
        var out = ""
        for character in value {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }
}

extension Labels {
    /// Parses a series written as in promtool test files and the exposition format: `name{a="b", c="d"}`,
    /// `name`, or `{__name__="name", a="b"}`.
    ///
    /// - Throws: ``ExpressionError`` at the position of the problem.
    public static func parse(_ text: String) throws(ExpressionError) -> Labels {
        if text.filter({ !$0.isWhitespace }) == "{}" {
            return .empty
        }
        let expression = try RuleExpression.parse(text)
        guard case .vectorSelector(let selector) = expression.root, selector.offset == 0,
            selector.matchers.allSatisfy({ $0.kind == .equal })
        else {
            throw ExpressionError(offset: 0, message: "expected a series such as name{label=\"value\"}", in: text)
        }
        return Labels(selector.matchers.map { LabelPair(name: $0.name, value: $0.value) })
    }
}
