/// One query of a panel: a rule-language (PromQL) expression and how its series are named.
///
/// The expression may use Grafana's variables, substituted before evaluation: `$__interval` (the graph's step,
/// one graph column), `$__rate_interval` (the step, at least four sample intervals) and `$__range` (the
/// panel's time range). The graph's points are the expression evaluated at each step (a range query); the
/// headline figure is ``instant`` (by default the expression itself, with `$__interval` standing for the whole
/// range) evaluated once, at the end of the range.
public struct PanelQuery: Sendable, Hashable, Codable {
    /// The expression of the graph's points.
    public var expression: String
    /// The expression of the figure over the whole range; `nil`: ``expression`` over the range.
    public var instant: String?
    /// How each series is named: literal text with `{{label}}` replaced by the series' label values, e.g.
    /// `{{provider}}`; empty: the series' labels as Prometheus writes them.
    public var legend: String

    /// The variables a query may use, longest first.
    public static let variables = ["$__rate_interval", "$__interval", "$__range"]

    /// Creates a query.
    public init(expression: String, instant: String? = nil, legend: String = "") {
        self.expression = expression
        self.instant = instant
        self.legend = legend
    }

    /// The headline's expression: ``instant``, or ``expression`` with `$__interval` and `$__rate_interval`
    /// written as `$__range`.
    public var instantExpression: String {
        self.instant
            ?? self.expression.replacingAll("$__rate_interval", with: "$__range")
            .replacingAll("$__interval", with: "$__range")
    }
}

extension String {
    /// The text with every occurrence of `target` replaced (without Foundation).
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty, self.contains(target) else { return self }
        var result = ""
        var rest = Substring(self)
        while let range = rest.firstRange(of: target) {
            result += rest[rest.startIndex..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
