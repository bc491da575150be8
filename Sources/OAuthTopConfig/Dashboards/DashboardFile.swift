import Alerting
import Dashboard
import Foundation
import Yams

/// Parses dashboard files (`dashboards/*.dashboard.yaml`, see `docs/dashboards.md`) into a Dashboard
/// ``DashboardDefinition``, in the seed's syntax:
///
/// ```yaml
/// dashboards:
///   - oauth_health:
///       panels:
///         - token_refresh_success_rate          # a panel of the default dashboard, by name
///         - my_panel:                           # a panel of one's own
///             title: My panel
///             draw: graph                       # ratio | lifetime | quantiles | count | breaker | rate | graph
///             unit: per_second                  # percent | seconds | per_second | none | a plural noun
///             queries:
///               - legend: "{{provider}}"
///                 expr: sum by (provider) (rate(oauth_refresh_attempts_total[$__rate_interval]))
/// ```
///
/// The first dashboard of the file is the one shown. An `alerts:` section beside `dashboards:` is ignored (the
/// seed keeps both in one file). Every problem is reported at its line and column; an expression error at the
/// exact character inside the query.
public enum DashboardFile {
    static let rootKeys = ["dashboards", "alerts"]
    static let dashboardKeys = ["title", "panels"]
    static let panelKeys = ["title", "short_title", "draw", "unit", "queries"]
    static let queryKeys = ["expr", "instant", "legend"]

    /// Reads and parses a dashboard file.
    ///
    /// - Throws: `ConfigError` for an unreadable file, or every problem in it with its line and column.
    public static func load(
        path: String, fileReader: FileReader = .fileSystem
    ) throws(ConfigError)
        -> DashboardDefinition
    {
        let text = try fileReader.text(of: path)
        return try self.parse(yaml: text, file: path).get()
    }

    /// The built-in dashboard: the seed's six panels (``DefaultDashboard``).
    public static func defaultDashboard() -> DashboardDefinition {
        // The embedded text is checked by the tests; an error here is a bug, reported rather than trapped.
        self.parse(yaml: DefaultDashboard.yaml, file: DefaultDashboard.fileName, builtIn: [:]).value
            ?? DashboardDefinition(name: "oauth_health", panels: [])
    }

    /// Parses one dashboard file's text.
    ///
    /// - Parameters:
    ///   - yaml: The text.
    ///   - file: The file name for diagnostics.
    /// - Returns: The file's first dashboard, or the problems.
    public static func parse(yaml: String, file: String) -> ParseOutcome<DashboardDefinition> {
        let builtIn = Dictionary(
            self.defaultDashboard().panels.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        return self.parse(yaml: yaml, file: file, builtIn: builtIn)
    }

    private static func parse(
        yaml: String,
        file: String,
        builtIn: [String: PanelDefinition]
    ) -> ParseOutcome<DashboardDefinition> {
        let collector = DiagnosticCollector(file: file)
        let reader = YAMLReader(diagnostics: collector)
        let context = Context(reader: reader, text: yaml, builtIn: builtIn)
        var dashboards: [DashboardDefinition] = []
        if let root = YAMLDocument.compose(yaml, diagnostics: collector) {
            let field = YAMLField(name: "dashboard file", node: root)
            if let map = reader.mapping(field, allowedKeys: self.rootKeys, context: "the dashboard file"),
                let list = map.required("dashboards", { reader.sequence($0, expected: "a list of dashboards") })
            {
                dashboards = list.compactMap { self.dashboard($0, context) }
                if list.isEmpty, let field = map["dashboards"] {
                    reader.error("the file defines no dashboard", at: field)
                }
            }
        } else if !collector.hasErrors {
            collector.report("the dashboard file is empty", at: SourcePosition(line: 1, column: 1))
        }
        return ParseOutcome(value: dashboards.first, collector: collector)
    }

    struct Context {
        let reader: YAMLReader
        let text: String
        let builtIn: [String: PanelDefinition]
    }

    /// `- NAME: {title, panels}`.
    private static func dashboard(_ field: YAMLField, _ context: Context) -> DashboardDefinition? {
        guard let entry = self.namedEntry(field, context, what: "a dashboard") else { return nil }
        let (name, body) = entry
        guard let map = context.reader.mapping(body, allowedKeys: self.dashboardKeys, context: "dashboard '\(name)'"),
            let list = map.required("panels", { context.reader.sequence($0, expected: "a list of panels") })
        else { return nil }
        var names: Set<String> = []
        var panels: [PanelDefinition] = []
        for item in list {
            guard let panel = self.panel(item, context) else { continue }
            if !names.insert(panel.name).inserted {
                context.reader.error("duplicate panel name '\(panel.name)'", at: item)
                continue
            }
            panels.append(panel)
        }
        if list.isEmpty, let field = map["panels"] {
            context.reader.error("a dashboard needs at least one panel", at: field)
        }
        return DashboardDefinition(name: name, panels: panels)
    }

    /// `- NAME` (a built-in panel) or `- NAME: {title, short_title, draw, unit, queries}`.
    private static func panel(_ field: YAMLField, _ context: Context) -> PanelDefinition? {
        if let name = field.scalarText {
            guard let panel = context.builtIn[name] else {
                var message =
                    "unknown panel '\(name)'; a panel of one's own needs its definition"
                    + " ('\(name): {title, draw, unit, queries}')"
                if let suggestion = Suggestion.closest(to: name, in: context.builtIn.keys.sorted()) {
                    message += "; did you mean '\(suggestion)'?"
                }
                context.reader.error(message, at: field)
                return nil
            }
            return panel
        }
        guard let entry = self.namedEntry(field, context, what: "a panel") else { return nil }
        let (name, body) = entry
        guard let map = context.reader.mapping(body, allowedKeys: self.panelKeys, context: "panel '\(name)'") else {
            return nil
        }
        let title = map.required("title") { context.reader.nonEmptyString($0) }
        let shortTitle = map.optional("short_title") { context.reader.nonEmptyString($0) }
        let styles = PanelStyle.allCases.map(\.rawValue)
        let style = map.optional("draw") { context.reader.choice($0, from: styles) }.flatMap(PanelStyle.init) ?? .graph
        let unit = map.optional("unit") { context.reader.nonEmptyString($0) } ?? "none"
        let queries = map.required("queries") { queriesField -> [PanelQuery]? in
            guard let items = context.reader.sequence(queriesField, expected: "a list of queries") else { return nil }
            if items.isEmpty {
                context.reader.error("a panel needs at least one query", at: queriesField)
            }
            return items.compactMap { self.query($0, context) }
        }
        guard let title, let queries else { return nil }
        return PanelDefinition(
            name: name, title: title, shortTitle: shortTitle, style: style, unit: unit, queries: queries)
    }

    /// `- {expr, instant, legend}`.
    private static func query(_ field: YAMLField, _ context: Context) -> PanelQuery? {
        guard let map = context.reader.mapping(field, allowedKeys: self.queryKeys, context: "a query") else {
            return nil
        }
        let expression = map.required("expr") { self.expression($0, context) }
        let instant = map.optional("instant") { self.expression($0, context) }
        let legend = map.optional("legend") { context.reader.string($0) } ?? ""
        guard let expression else { return nil }
        return PanelQuery(expression: expression, instant: instant, legend: legend)
    }

    /// A one-key mapping `NAME: BODY`, as the seed writes dashboards and panels.
    private static func namedEntry(_ field: YAMLField, _ context: Context, what: String) -> (String, YAMLField)? {
        guard case .mapping(let mapping) = field.node, mapping.count == 1, let first = mapping.first,
            let name = first.key.scalar?.string, !name.isEmpty
        else {
            context.reader.mismatch(field, expected: "\(what) as 'NAME:' with its definition below")
            return nil
        }
        guard Labels.isValidLabelName(name) else {
            context.reader.diagnostics.error(
                "invalid name '\(name)': must match [a-zA-Z_][a-zA-Z0-9_]*", at: first.key)
            return nil
        }
        return (name, YAMLField(name: name, node: first.value))
    }

    /// Checks a query's expression, its variables read as durations of the same length (so an error's column
    /// is the one in the file), and returns the text as written.
    private static func expression(_ field: YAMLField, _ context: Context) -> String? {
        guard
            let (text, checked) = context.reader.expression(
                field, fileText: context.text, checkedText: self.sampleSubstitution
            )
        else { return nil }
        if checked.valueType != .vector, checked.valueType != .scalar {
            context.reader.error(
                "\(field.name): a query must give an instant vector or a scalar, not a " + checked.valueType.rawValue,
                at: field
            )
            return nil
        }
        return text
    }

    /// The text with each Grafana variable replaced by a duration of the same length (`$__range` by
    /// `0000060s`), for checking.
    static func sampleSubstitution(_ text: String) -> String {
        guard text.contains("$__") else { return text }
        var result = text
        for variable in PanelQuery.variables {
            let duration = String(repeating: "0", count: max(0, variable.count - 3)) + "60s"
            result = result.replacingOccurrences(of: variable, with: duration)
        }
        return result
    }
}
