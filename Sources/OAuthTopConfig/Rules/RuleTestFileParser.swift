import Alerting
import Yams

/// Parses rule unit-test files (the format of `promtool test rules`) into a ``RuleTestFile``.
///
/// Accepts every key promtool 2.42 accepts: `rule_files`, `evaluation_interval`, `group_eval_order`, `tests`;
/// per test group `interval`, `input_series` (`series`, `values`), `alert_rule_test` (`eval_time`, `alertname`,
/// `exp_alerts` with `exp_labels` and `exp_annotations`), `promql_expr_test` (`expr`, `eval_time`,
/// `exp_samples` with `labels` and `value`), `external_labels`, `external_url` and `name`. Unknown keys are
/// errors with a suggestion; series values in bad notation are reported at the item's own line and column.
/// Expected values may be `.inf`, `-.inf` or `.nan` (YAML's spellings), never `Inf`.
public struct RuleTestFileParser: Sendable {
    static let topKeys = ["rule_files", "evaluation_interval", "group_eval_order", "tests", "fuzzy_compare"]
    static let testKeys = [
        "interval", "input_series", "alert_rule_test", "promql_expr_test", "external_labels", "external_url", "name",
    ]
    static let durationExpectation = "a Prometheus duration like 30s, 1m, 1h30m"

    let fileReader: FileReader

    /// Creates a parser.
    ///
    /// - Parameter fileReader: How ``load(path:)`` reads files.
    public init(fileReader: FileReader = .fileSystem) {
        self.fileReader = fileReader
    }

    /// Reads and parses the test file at `path`.
    ///
    /// - Throws: `ConfigError` when the file cannot be read, or with every problem and its line and column.
    public func load(path: String) throws(ConfigError) -> RuleTestFile {
        let text = try self.fileReader.text(of: path)
        return try self.parse(yaml: text, file: path).get()
    }

    /// Parses test file text, collecting every diagnostic.
    ///
    /// - Parameters:
    ///   - yaml: The file's text.
    ///   - file: The file's path, for diagnostics.
    /// - Returns: The test file when it has no errors, and all diagnostics in file order.
    public func parse(yaml: String, file: String) -> ParseOutcome<RuleTestFile> {
        let collector = DiagnosticCollector(file: file)
        let reader = YAMLReader(diagnostics: collector)
        var result: RuleTestFile?
        if let root = YAMLDocument.compose(yaml, diagnostics: collector) {
            result = self.file(YAMLField(name: "", node: root), reader: reader)
        } else if !collector.hasErrors {
            collector.report("the file is empty; expected a mapping with 'rule_files' and 'tests'", at: nil)
        }
        return ParseOutcome(value: result, collector: collector)
    }

    func file(_ root: YAMLField, reader: YAMLReader) -> RuleTestFile? {
        guard case .mapping = root.node else {
            reader.diagnostics.report(
                "expected a mapping with 'rule_files' and 'tests', found \(root.foundDescription)",
                at: root.position
            )
            return nil
        }
        guard let top = reader.mapping(root, allowedKeys: Self.topKeys, context: "the top level") else { return nil }
        let ruleFiles = top.optional("rule_files") { self.strings($0, reader: reader) } ?? []
        let interval = top.optional("evaluation_interval") { self.duration($0, reader: reader) }
        let fuzzy = top.optional("fuzzy_compare") { reader.bool($0) }
        var order: [String] = []
        if let field = top["group_eval_order"], let names = self.strings(field, reader: reader) {
            for name in names {
                if order.contains(name) {
                    reader.error("group name '\(name)' repeated in the evaluation order", at: field)
                }
                order.append(name)
            }
        }
        var tests: [RuleTestCase] = []
        if let field = top["tests"], let items = reader.sequence(field, expected: "a list of test groups") {
            tests = items.compactMap { self.testCase($0, reader: reader) }
        }
        return RuleTestFile(
            ruleFiles: ruleFiles,
            evaluationInterval: interval ?? RuleTestFile.defaultEvaluationInterval,
            groupEvalOrder: order,
            tests: tests,
            fuzzyCompare: fuzzy
        )
    }

    func testCase(_ field: YAMLField, reader: YAMLReader) -> RuleTestCase? {
        guard let map = reader.mapping(field, allowedKeys: Self.testKeys, context: "test group") else { return nil }
        var test = RuleTestCase(line: field.position?.line ?? 0)
        test.name = map.optional("name") { reader.string($0) }
        test.interval = map.optional("interval") { self.duration($0, reader: reader) }
        test.externalURL = map.optional("external_url") { reader.string($0) }
        test.externalLabels = map.optional("external_labels") { self.stringMap($0, reader: reader) } ?? [:]
        if let items = map.optional("input_series", { reader.sequence($0, expected: "a list of series") }) {
            test.inputSeries = items.compactMap { self.inputSeries($0, reader: reader) }
        }
        if let items = map.optional("alert_rule_test", { reader.sequence($0, expected: "a list of alert tests") }) {
            test.alertRuleTests = items.compactMap { self.alertRuleTest($0, reader: reader) }
        }
        if let items = map.optional("promql_expr_test", { reader.sequence($0, expected: "a list of expression tests") })
        {
            test.promqlExprTests = items.compactMap { self.exprTest($0, reader: reader) }
        }
        return test
    }

    func inputSeries(_ field: YAMLField, reader: YAMLReader) -> InputSeries? {
        guard let map = reader.mapping(field, allowedKeys: ["series", "values"], context: "input series") else {
            return nil
        }
        let series = map.required("series") { reader.nonEmptyString($0) }
        guard let valuesField = map["values"] else {
            map.reportMissing("values")
            return nil
        }
        guard let text = reader.string(valuesField) else { return nil }
        let start = self.textStart(of: valuesField)
        let values: [SeriesPoint]
        do {
            values = try SeriesNotation.expand(text)
        } catch {
            let position = start.map { self.position(ofColumn: error.column, in: text, from: $0) }
            reader.diagnostics.report("values: \(error.description)", at: position)
            return nil
        }
        guard let series else { return nil }
        return InputSeries(series: series, values: values, line: start?.line ?? 0, column: start?.column ?? 0)
    }

    func alertRuleTest(_ field: YAMLField, reader: YAMLReader) -> AlertRuleTest? {
        let keys = ["eval_time", "alertname", "exp_alerts"]
        guard let map = reader.mapping(field, allowedKeys: keys, context: "alert test") else { return nil }
        let evalTime = map.optional("eval_time") { self.duration($0, reader: reader) }
        let name = map.required("alertname") { reader.nonEmptyString($0) }
        var alerts: [ExpectedAlert] = []
        var valid = true
        if let items = map.optional("exp_alerts", { reader.sequence($0, expected: "a list of expected alerts") }) {
            for item in items {
                let itemKeys = ["exp_labels", "exp_annotations"]
                guard let alert = reader.mapping(item, allowedKeys: itemKeys, context: "expected alert") else {
                    valid = false
                    continue
                }
                let labels = alert.optional("exp_labels") { self.stringMap($0, reader: reader) }
                let annotations = alert.optional("exp_annotations") { self.stringMap($0, reader: reader) }
                alerts.append(ExpectedAlert(labels: labels ?? [:], annotations: annotations ?? [:]))
            }
        }
        guard let name, valid, evalTime != nil || !map.contains("eval_time") else { return nil }
        return AlertRuleTest(
            evalTime: evalTime ?? 0,
            alertName: name,
            expectedAlerts: alerts,
            line: field.position?.line ?? 0
        )
    }

    func exprTest(_ field: YAMLField, reader: YAMLReader) -> PromQLExprTest? {
        let keys = ["expr", "eval_time", "exp_samples"]
        guard let map = reader.mapping(field, allowedKeys: keys, context: "expression test") else { return nil }
        let expr = map.required("expr") { reader.nonEmptyString($0) }
        let evalTime = map.optional("eval_time") { self.duration($0, reader: reader) }
        var samples: [ExpectedSample] = []
        var valid = true
        if let items = map.optional("exp_samples", { reader.sequence($0, expected: "a list of expected samples") }) {
            for item in items {
                guard let sample = reader.mapping(item, allowedKeys: ["labels", "value"], context: "expected sample"),
                    let labels = sample.required("labels", { reader.string($0) }),
                    let value = sample.required("value", { self.sampleValue($0, reader: reader) })
                else {
                    valid = false
                    continue
                }
                samples.append(ExpectedSample(labels: labels, value: value))
            }
        }
        guard let expr, valid, evalTime != nil || !map.contains("eval_time"), let exprField = map["expr"] else {
            return nil
        }
        let start = self.textStart(of: exprField)
        return PromQLExprTest(
            expr: expr,
            evalTime: evalTime ?? 0,
            expectedSamples: samples,
            line: field.position?.line ?? 0,
            exprLine: start?.line ?? 0,
            exprColumn: start?.column ?? 0
        )
    }

    // MARK: - Values

    func duration(_ field: YAMLField, reader: YAMLReader) -> Int64? {
        guard let text = field.scalarText?.trimmingSpaces, let milliseconds = PrometheusDuration.milliseconds(text)
        else {
            reader.mismatch(field, expected: Self.durationExpectation)
            return nil
        }
        return milliseconds
    }

    /// A float as YAML writes one, including `.inf`, `-.inf` and `.nan`; `Inf` and `NaN` are refused as
    /// promtool refuses them.
    func sampleValue(_ field: YAMLField, reader: YAMLReader) -> Double? {
        guard let text = field.scalarText?.trimmingSpaces else {
            reader.mismatch(field, expected: "a number")
            return nil
        }
        switch text {
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .infinity
        case "-.inf", "-.Inf", "-.INF": return -.infinity
        case ".nan", ".NaN", ".NAN": return .nan
        default: break
        }
        guard let value = Double(text.replacingOccurrences(of: "_", with: "")), value.isFinite,
            text.lowercased().allSatisfy({ !$0.isLetter || $0 == "e" })
        else {
            var message = "expected a number, found \(field.foundDescription)"
            if ["inf", "+inf", "-inf", "nan"].contains(text.lowercased()) {
                message += "; write .inf, -.inf or .nan"
            }
            reader.error(message, at: field)
            return nil
        }
        return value
    }

    func strings(_ field: YAMLField, reader: YAMLReader) -> [String]? {
        guard let items = reader.sequence(field, expected: "a list of strings") else { return nil }
        let values = items.map { reader.nonEmptyString($0) }
        return values.contains(nil) ? nil : values.compactMap { $0 }
    }

    func stringMap(_ field: YAMLField, reader: YAMLReader) -> [String: String]? {
        if field.isNull { return [:] }
        guard case .mapping(let mapping) = field.node else {
            reader.mismatch(field, expected: "a mapping of names to strings")
            return nil
        }
        var result: [String: String] = [:]
        var valid = true
        for (keyNode, valueNode) in mapping {
            guard case .scalar(let key) = keyNode else {
                reader.diagnostics.error(
                    "\(field.name): names must be plain words, found a \(keyNode.kindName)",
                    at: keyNode
                )
                valid = false
                continue
            }
            guard let value = reader.string(YAMLField(name: "\(field.name).\(key.string)", node: valueNode)) else {
                valid = false
                continue
            }
            result[key.string] = value
        }
        return valid ? result : nil
    }

    // MARK: - Positions

    /// Where the text of a scalar starts: after the opening quote of a quoted scalar.
    func textStart(of field: YAMLField) -> SourcePosition? {
        guard var position = field.position else { return nil }
        if case .scalar(let scalar) = field.node, scalar.style == .singleQuoted || scalar.style == .doubleQuoted {
            position.column += 1
        }
        return position
    }

    /// The file position of 1-based `column` within `text`, a scalar starting at `start`.
    ///
    /// Exact for text on one line without escapes, which is how series values are written.
    func position(ofColumn column: Int, in text: String, from start: SourcePosition) -> SourcePosition {
        SourcePosition(line: start.line, column: start.column + column - 1)
    }
}
