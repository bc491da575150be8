import Alerting
import Foundation
import Yams

/// Parses alert rule files into ``RuleGroup``s, in both formats oauthtop accepts:
///
/// - the seed's: `alerts:` list of `{name, condition, severity, action, for, keep_firing_for, labels,
///   annotations}` (one group named after the file; a `dashboards:` section beside it is ignored);
/// - Prometheus rule files: `groups:` of `{name, interval, rules: [{alert|record, expr, for,
///   keep_firing_for, labels, annotations}]}`.
///
/// Every problem is reported at its line and column; an expression error is placed at the exact
/// character inside the rule, with what the parser expected.
public enum RuleFileParser {
    static let seedAlertKeys = [
        "name", "condition", "severity", "action", "for", "keep_firing_for", "labels", "annotations",
    ]
    static let groupKeys = ["name", "interval", "rules", "limit", "query_offset"]
    static let ruleKeys = ["alert", "record", "expr", "for", "keep_firing_for", "labels", "annotations"]

    /// Reads and parses rule files.
    ///
    /// - Parameters:
    ///   - paths: The rule files.
    ///   - fileReader: How files are read.
    ///   - aliases: The metric-name spellings and state names expressions may use (oauthtop's by default).
    /// - Returns: The groups of every file, in order, when no file has errors.
    /// - Throws: `ConfigError` listing every problem of every file.
    public static func load(
        paths: [String],
        fileReader: FileReader = .fileSystem,
        aliases: MetricAliases = .oauthTop
    ) throws(ConfigError) -> [RuleGroup] {
        var groups: [RuleGroup] = []
        var diagnostics: [Diagnostic] = []
        for path in paths {
            let text = try fileReader.text(of: path)
            let outcome = self.parse(yaml: text, file: path, aliases: aliases)
            diagnostics += outcome.diagnostics
            if let parsed = outcome.value {
                groups += parsed
            }
        }
        if diagnostics.contains(where: { $0.severity == .error }) {
            throw .invalid(diagnostics)
        }
        return groups
    }

    /// The seed's four rules and the emergency rule, built in.
    public static func defaultGroups() -> [RuleGroup] {
        // The embedded text is checked by the tests; an error here is a bug, reported rather than trapped.
        self.parse(yaml: DefaultRules.seedYAML, file: DefaultRules.fileName, aliases: .oauthTop).value ?? []
    }

    /// The demo's rules (the seed's at the demo's time scale), built in.
    public static func demoGroups() -> [RuleGroup] {
        self.parse(yaml: DefaultRules.demoYAML, file: DefaultRules.demoFileName, aliases: .oauthTop).value ?? []
    }

    /// The built-in emergency rule (``DefaultRules/emergencyYAML``), as one group.
    public static func emergencyGroups() -> [RuleGroup] {
        self.parse(yaml: DefaultRules.emergencyYAML, file: DefaultRules.emergencyFileName, aliases: .oauthTop).value
            ?? []
    }

    /// `groups` with the built-in emergency rule added when none of them defines an alert named
    /// `oauth_emergency_mode`: a configuration's own rule files always have it, and define it to route it
    /// (`action:`, labels) or to change it.
    public static func withEmergencyRule(_ groups: [RuleGroup]) -> [RuleGroup] {
        let defined = groups.contains { group in
            group.rules.contains { rule in
                if case .alerting(let alerting) = rule { return alerting.name == DefaultRules.emergencyAlertName }
                return false
            }
        }
        return defined ? groups : groups + self.emergencyGroups()
    }

    /// Parses one rule file's text.
    ///
    /// - Parameters:
    ///   - yaml: The file's text.
    ///   - file: The file's path, for diagnostics.
    ///   - aliases: The metric-name spellings and state names expressions may use (oauthtop's by default).
    public static func parse(
        yaml: String,
        file: String,
        aliases: MetricAliases = .oauthTop
    ) -> ParseOutcome<[RuleGroup]> {
        let collector = DiagnosticCollector(file: file)
        let reader = YAMLReader(diagnostics: collector)
        var groups: [RuleGroup] = []
        if let root = YAMLDocument.compose(yaml, diagnostics: collector) {
            let field = YAMLField(name: "rules", node: root)
            let context = Context(reader: reader, text: yaml, file: file, aliases: aliases)
            if case .mapping(let mapping) = root, mapping.keys.contains(where: { $0.scalar?.string == "groups" }) {
                groups = self.prometheusGroups(field, context)
            } else if case .mapping(let mapping) = root, mapping.keys.contains(where: { $0.scalar?.string == "alerts" })
            {
                groups = self.seedGroups(field, context)
            } else {
                reader.mismatch(
                    field, expected: "a rule file: a mapping with 'groups:' (Prometheus) or 'alerts:' (seed)")
            }
        } else if !collector.hasErrors {
            collector.report("the rule file is empty", at: SourcePosition(line: 1, column: 1))
        }
        return ParseOutcome(value: collector.hasErrors ? nil : groups, diagnostics: collector.sortedDiagnostics)
    }

    struct Context {
        let reader: YAMLReader
        let text: String
        let file: String
        let aliases: MetricAliases
    }

    // MARK: - Seed format

    private static func seedGroups(_ field: YAMLField, _ context: Context) -> [RuleGroup] {
        guard
            let root = context.reader.mapping(field, allowedKeys: ["alerts", "dashboards"], context: "the rule file"),
            let list = root.required("alerts", { context.reader.sequence($0, expected: "a list of alerts") })
        else { return [] }
        var rules: [Rule] = []
        var names: [String: SourcePosition?] = [:]
        for item in list {
            guard let map = context.reader.mapping(item, allowedKeys: self.seedAlertKeys, context: "an alert") else {
                continue
            }
            let name = map.required("name") { self.ruleName($0, context) }
            let expression = map.required("condition") { self.expression($0, context) }
            let severity = map.optional("severity") { context.reader.nonEmptyString($0) }
            let action = map.optional("action") { context.reader.nonEmptyString($0) }
            let holdDuration = map.optional("for") { self.duration($0, context) } ?? 0
            let keepFiringFor = map.optional("keep_firing_for") { self.duration($0, context) } ?? 0
            var labels = map.optional("labels") { self.templates($0, context, labelNames: true) } ?? [:]
            let annotations = map.optional("annotations") { self.templates($0, context, labelNames: false) } ?? [:]
            if let severity {
                labels["severity"] = .literal(severity)
            }
            guard let name, let expression else { continue }
            if let field = map["name"], names[name] != nil {
                context.reader.error("duplicate alert name '\(name)'", at: field)
            }
            names[name] = map["name"]?.position
            rules.append(
                .alerting(
                    AlertingRule(
                        name: name,
                        expression: expression,
                        holdDuration: holdDuration,
                        keepFiringFor: keepFiringFor,
                        labels: labels,
                        annotations: annotations,
                        action: action
                    )))
        }
        let groupName = context.file.split(separator: "/").last.map(String.init) ?? context.file
        return [RuleGroup(name: groupName, rules: rules, file: context.file)]
    }

    // MARK: - Prometheus format

    private static func prometheusGroups(_ field: YAMLField, _ context: Context) -> [RuleGroup] {
        guard let root = context.reader.mapping(field, allowedKeys: ["groups"], context: "the rule file"),
            let list = root.required("groups", { context.reader.sequence($0, expected: "a list of rule groups") })
        else { return [] }
        var groups: [RuleGroup] = []
        var groupNames: Set<String> = []
        for item in list {
            guard let map = context.reader.mapping(item, allowedKeys: self.groupKeys, context: "a rule group") else {
                continue
            }
            let name = map.required("name") { context.reader.nonEmptyString($0) }
            let interval = map.optional("interval") { self.duration($0, context, positive: true) }
            _ = map.optional("limit") { context.reader.int($0, in: 0...Int.max) }
            _ = map.optional("query_offset") { self.duration($0, context) }
            let rules = map.required("rules") { rulesField -> [Rule]? in
                guard let items = context.reader.sequence(rulesField, expected: "a list of rules") else { return nil }
                return items.compactMap { self.prometheusRule($0, context) }
            }
            guard let name else { continue }
            if let nameField = map["name"], !groupNames.insert(name).inserted {
                context.reader.error("duplicate group name '\(name)'", at: nameField)
            }
            groups.append(RuleGroup(name: name, interval: interval, rules: rules ?? [], file: context.file))
        }
        return groups
    }

    private static func prometheusRule(_ field: YAMLField, _ context: Context) -> Rule? {
        guard let map = context.reader.mapping(field, allowedKeys: self.ruleKeys, context: "a rule") else { return nil }
        let expression = map.required("expr") { self.expression($0, context) }
        switch (map["alert"], map["record"]) {
        case (let alertField?, nil):
            let name = self.ruleName(alertField, context)
            let holdDuration = map.optional("for") { self.duration($0, context) } ?? 0
            let keepFiringFor = map.optional("keep_firing_for") { self.duration($0, context) } ?? 0
            let labels = map.optional("labels") { self.templates($0, context, labelNames: true) } ?? [:]
            let annotations = map.optional("annotations") { self.templates($0, context, labelNames: false) } ?? [:]
            guard let name, let expression else { return nil }
            return .alerting(
                AlertingRule(
                    name: name,
                    expression: expression,
                    holdDuration: holdDuration,
                    keepFiringFor: keepFiringFor,
                    labels: labels,
                    annotations: annotations
                ))
        case (nil, let recordField?):
            for key in ["for", "keep_firing_for", "annotations"] where map.contains(key) {
                if let keyField = map[key] {
                    context.reader.error("'\(key)' is only allowed in alerting rules", at: keyField)
                }
            }
            let name = context.reader.nonEmptyString(recordField)
            if let name, !Labels.isValidMetricName(name) {
                context.reader.error(
                    "invalid recording rule name '\(name)': must match [a-zA-Z_:][a-zA-Z0-9_:]*", at: recordField)
            }
            let labels =
                map.optional("labels") { labelsField -> [String: String]? in
                    self.templates(labelsField, context, labelNames: true)?.mapValues(\.source)
                } ?? [:]
            guard let name, let expression else { return nil }
            if expression.valueType != .vector, expression.valueType != .scalar {
                context.reader.error(
                    "a recording rule's expression must give an instant vector or a scalar", at: map["expr"] ?? field)
            }
            return .recording(RecordingRule(name: name, expression: expression, labels: labels))
        case (_?, _?):
            context.reader.error("a rule has either 'alert' or 'record', not both", at: field)
            return nil
        case (nil, nil):
            context.reader.error(
                "a rule needs 'alert: NAME' (alerting rule) or 'record: NAME' (recording rule)", at: field)
            return nil
        }
    }

    // MARK: - Values

    private static func ruleName(_ field: YAMLField, _ context: Context) -> String? {
        guard let name = context.reader.nonEmptyString(field) else { return nil }
        guard Self.isLabelValueSafe(name) else {
            context.reader.error("invalid alert name '\(name)'", at: field)
            return nil
        }
        return name
    }

    private static func duration(_ field: YAMLField, _ context: Context, positive: Bool = false) -> Int64? {
        guard let text = context.reader.nonEmptyString(field) else { return nil }
        guard let milliseconds = PrometheusDuration.milliseconds(text), !positive || milliseconds > 0 else {
            context.reader.error(
                "expected a duration such as 30s, 5m or 1h30m (units ms, s, m, h, d, w, y), found '\(text)'",
                at: field
            )
            return nil
        }
        return milliseconds
    }

    private static func templates(_ field: YAMLField, _ context: Context, labelNames: Bool) -> [String: Template]? {
        guard case .mapping(let mapping) = field.node else {
            context.reader.mismatch(field, expected: "a mapping of names to strings")
            return nil
        }
        var result: [String: Template] = [:]
        for (keyNode, valueNode) in mapping {
            let key = keyNode.scalar?.string ?? ""
            let valueField = YAMLField(name: "\(field.name).\(key)", node: valueNode)
            if labelNames, !Labels.isValidLabelName(key) {
                context.reader.diagnostics.error("\(field.name): invalid label name '\(key)'", at: keyNode)
                continue
            }
            guard let text = context.reader.string(valueField) else { continue }
            do {
                result[key] = try Template(text)
            } catch {
                context.reader.error("template error: \(error.message)", at: valueField)
            }
        }
        return result
    }

    /// Parses an expression, reporting an error at its exact position inside the YAML scalar.
    private static func expression(_ field: YAMLField, _ context: Context) -> RuleExpression? {
        context.reader.expression(field, fileText: context.text, aliases: context.aliases)?.expression
    }

    static func isLabelValueSafe(_ name: String) -> Bool {
        !name.contains("\n")
    }
}
