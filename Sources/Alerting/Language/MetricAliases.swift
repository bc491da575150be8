/// Other spellings a rule may use for a metric, and names for the values of state gauges: the table an
/// application hands the parser and the evaluator so that rules written in its own vocabulary read its series.
///
/// The default, ``none``, is plain Prometheus: a selector reads exactly the name it gives, and a string is never
/// an operand of a comparison. With a table, a selector whose name has no series reads the first of its
/// ``alternatives(for:)`` that has series; and `state_metric == "name"` compares with the number the table gives
/// the name for that metric.
///
/// ```swift
/// let aliases = MetricAliases(
///     names: ["door_state": ["building_door_state"]],
///     affixes: [.init(suffix: "_total")],
///     stateNames: ["building_door_state": ["closed": 0, "open": 1]]
/// )
/// let expression = try RuleExpression.parse(#"door_state == "open""#, aliases: aliases)
/// let evaluator = Evaluator(source: store, aliases: aliases)
/// ```
public struct MetricAliases: Sendable, Hashable {
    /// A spelling rule for every name: `prefix + name + suffix`.
    ///
    /// A rule whose prefix the name already starts with, or whose suffix it already ends with, does not apply
    /// (so `requests_total` is not tried as `requests_total_total`).
    public struct Affix: Sendable, Hashable {
        public var prefix: String
        public var suffix: String

        /// Creates a spelling rule.
        ///
        /// - Parameters:
        ///   - prefix: Put before the name (empty: none).
        ///   - suffix: Put after the name (empty: none).
        public init(prefix: String = "", suffix: String = "") {
            self.prefix = prefix
            self.suffix = suffix
        }

        /// The name spelt by this rule, or `nil` when the rule does not apply to it.
        public func apply(to name: String) -> String? {
            if self.prefix.isEmpty, self.suffix.isEmpty {
                return nil
            }
            if !self.prefix.isEmpty, name.hasPrefix(self.prefix) {
                return nil
            }
            if !self.suffix.isEmpty, name.hasSuffix(self.suffix) {
                return nil
            }
            return self.prefix + name + self.suffix
        }
    }

    /// Per name, the other names it may resolve to, in order; tried before ``affixes``.
    public var names: [String: [String]]
    /// Spelling rules tried for every name, in order, after its entry in ``names``.
    public var affixes: [Affix]
    /// Per metric, its state names and the values they stand for (`["closed": 0, "open": 2]`).
    public var stateNames: [String: [String: Double]]

    /// Creates a table.
    ///
    /// - Parameters:
    ///   - names: Per name, the other names it may resolve to, in order.
    ///   - affixes: Spelling rules tried for every name, after `names`.
    ///   - stateNames: Per metric, the names of its values.
    public init(
        names: [String: [String]] = [:],
        affixes: [Affix] = [],
        stateNames: [String: [String: Double]] = [:]
    ) {
        self.names = names
        self.affixes = affixes
        self.stateNames = stateNames
    }

    /// No aliases: plain Prometheus.
    public static let none = MetricAliases()

    /// Whether the table is empty (plain Prometheus).
    public var isEmpty: Bool { self.names.isEmpty && self.affixes.isEmpty && self.stateNames.isEmpty }

    /// The names a selector's `name` may resolve to when it has no series itself, in the order they are tried;
    /// without `name` and without repeats.
    public func alternatives(for name: String) -> [String] {
        guard !self.isEmpty else { return [] }
        var result: [String] = []
        for candidate in (self.names[name] ?? []) + self.affixes.compactMap({ $0.apply(to: name) })
        where candidate != name && !result.contains(candidate) {
            result.append(candidate)
        }
        return result
    }

    /// The state names of the metric a selector names: its own entry, or that of the first alternative that has
    /// one.
    public func stateNames(forMetric name: String) -> [String: Double]? {
        if let table = self.stateNames[name] {
            return table
        }
        guard !self.stateNames.isEmpty else { return nil }
        for alternative in self.alternatives(for: name) {
            if let table = self.stateNames[alternative] {
                return table
            }
        }
        return nil
    }
}
