import Notifiers
import Primitives
import Yams

/// Parses the `alerting:` section of `oauthtop.yaml` into `AlertingSettings`.
///
/// ```yaml
/// alerting:
///   rule_files: [rules/oauthtop.rules.yaml]   # optional; default: the built-in seed rules
///   evaluation_interval: 15s
///   notifiers:
///     team-slack: {type: slack, url: {env: SLACK_WEBHOOK_URL}}
///     oncall: {type: pagerduty, routing_key: {file: /run/secrets/pd_key}}
///     am: {type: alertmanager, url: http://127.0.0.1:9093}
///     hook: {type: webhook, url: {env: HOOK_URL}, headers: {Authorization: {env: HOOK_AUTH}}}
///     script: {type: command, command: [/usr/local/bin/on-alert, --verbose], timeout: 5s}
///     out: {type: stdout}
///   routes:
///     page_oncall: [oncall, am]
///     default: [out]
/// ```
///
/// Every notifier also takes `timeout` (per attempt), `queue_capacity` and `retries` (attempts
/// after the first). Slack and webhook URLs, webhook header values and PagerDuty routing keys are
/// secrets: they must be `{env: NAME}` or `{file: PATH}`, and an inline one is an error that does
/// not echo it. Without `notifiers` there are none: alerts are JSON event lines (headless) and rows
/// of the dashboard only. Without a `default` route, alerts whose action has no route go to every
/// notifier.
public struct AlertingSettingsParser {
    let reader: YAMLReader
    let secrets: SecretReader

    /// - Parameter secrets: Resolves secret references; its reader reports the problems.
    public init(secrets: SecretReader) {
        self.reader = secrets.reader
        self.secrets = secrets
    }

    /// The keys of the `alerting:` mapping.
    public static let keys = ["rule_files", "evaluation_interval", "notifiers", "routes"]
    static let commonNotifierKeys = ["type", "timeout", "queue_capacity", "retries"]
    /// Keys that only some notifier types take.
    static let typeKeys: [String: [String]] = [
        "url": ["slack", "alertmanager", "pagerduty", "webhook"],
        "routing_key": ["pagerduty"],
        "headers": ["webhook"],
        "command": ["command"],
    ]
    static let notifierKeys = commonNotifierKeys + ["url", "routing_key", "headers", "command"]

    /// Parses a document whose top level holds `alerting:` (other top-level keys are ignored:
    /// the configuration parser checks them).
    ///
    /// - Returns: The settings (the defaults when there is no `alerting:`) and every diagnostic.
    public static func parse(
        yaml: String,
        file: String,
        environment: [String: String],
        fileReader: FileReader = .fileSystem
    ) -> ParseOutcome<AlertingSettings> {
        let collector = DiagnosticCollector(file: file)
        let reader = YAMLReader(diagnostics: collector)
        let parser = AlertingSettingsParser(
            secrets: SecretReader(reader: reader, environment: environment, fileReader: fileReader)
        )
        var settings: AlertingSettings?
        if let root = YAMLDocument.compose(yaml, diagnostics: collector) {
            if case .mapping = root {
                if let node = root["alerting"] {
                    settings = parser.settings(YAMLField(name: "alerting", node: node))
                } else {
                    settings = AlertingSettings()
                }
            } else {
                collector.report("expected a mapping with the key 'alerting'", at: SourcePosition(of: root))
            }
        } else if !collector.hasErrors {
            settings = AlertingSettings()
        }
        return ParseOutcome(value: settings, collector: collector)
    }

    /// Reads the value of `alerting:`.
    ///
    /// - Returns: The settings, or `nil` after reporting at least one error.
    public func settings(_ field: YAMLField) -> AlertingSettings? {
        let errorsBefore = self.reader.diagnostics.errorCount
        if field.isNull { return AlertingSettings() }
        guard let map = self.reader.mapping(field, allowedKeys: Self.keys, context: "'alerting'") else { return nil }
        let ruleFiles = map.optional("rule_files") { field -> [String]? in
            guard let items = self.reader.sequence(field, expected: "a list of rule file paths") else { return nil }
            let paths = items.map(self.reader.nonEmptyString)
            return paths.contains(nil) ? nil : paths.compactMap { $0 }
        }
        let interval = map.optional("evaluation_interval") { self.reader.duration($0, positive: true) }
        let notifiers = map.optional("notifiers", self.notifiers)
        var settings = AlertingSettings(ruleFiles: ruleFiles ?? [], evaluationInterval: interval ?? .seconds(15))
        if let notifiers {
            settings.notifiers = notifiers
            // Without a `default` route, alerts whose action has no route go to every notifier.
            settings.defaultRoute = notifiers.keys.sorted()
        }
        if let routesField = map["routes"] {
            let known = notifiers.map { Array($0.keys) } ?? []
            let checkNames = notifiers != nil || !map.contains("notifiers")
            if let routes = self.routes(routesField, known: known, checkNames: checkNames) {
                settings.routes = routes.filter { $0.key != "default" }
                if let route = routes["default"] { settings.defaultRoute = route }
            }
        }
        guard self.reader.diagnostics.errorCount == errorsBefore else { return nil }
        return settings
    }

    func notifiers(_ field: YAMLField) -> [String: NotifierSettings]? {
        guard case .mapping(let mapping) = field.node else {
            self.reader.mismatch(field, expected: "a mapping from notifier names to {type: ..., ...}")
            return nil
        }
        var result: [String: NotifierSettings] = [:]
        var failed = false
        for (keyNode, value) in mapping {
            guard let name = keyNode.scalar?.string, self.isNotifierName(name) else {
                self.reader.diagnostics.error(
                    "notifier names use only letters, digits, '_', '.' and '-'", at: keyNode
                )
                failed = true
                continue
            }
            guard let settings = self.notifier(YAMLField(name: name, node: value), name: name) else {
                failed = true
                continue
            }
            result[name] = settings
        }
        return failed ? nil : result
    }

    func notifier(_ field: YAMLField, name: String) -> NotifierSettings? {
        let context = "notifier '\(name)'"
        guard let map = self.reader.mapping(field, allowedKeys: Self.notifierKeys, context: context) else {
            return nil
        }
        let errorsBefore = self.reader.diagnostics.errorCount
        guard let type = map.required("type", { self.reader.choice($0, from: NotifierSettings.typeNames) }) else {
            return nil
        }
        for entry in map.entries {
            guard let types = Self.typeKeys[entry.key], !types.contains(type) else { continue }
            self.reader.diagnostics.report(
                "'\(entry.key)' does not apply to type '\(type)' (only to \(types.joined(separator: ", ")))",
                at: SourcePosition(of: entry.keyNode)
            )
        }
        var delivery = DeliveryPolicy()
        if let timeout = map.optional("timeout", { self.reader.duration($0, positive: true) }) {
            delivery.attemptTimeout = timeout
        }
        if let capacity = map.optional("queue_capacity", { self.reader.int($0, in: 1...1_000_000) }) {
            delivery.queueCapacity = capacity
        }
        if let retries = map.optional("retries", { self.reader.int($0, in: 0...100) }) {
            delivery.maxAttempts = retries + 1
        }
        let secretURL = { map.required("url", self.secrets.secret) }
        var kind: NotifierSettings.Kind?
        switch type {
        case "stdout":
            kind = .stdout
        case "slack":
            kind = secretURL().map { .slack(url: $0) }
        case "alertmanager":
            kind = map.required("url") { self.reader.url($0) }.map { .alertmanager(url: $0) }
        case "pagerduty":
            let key = map.required("routing_key", self.secrets.secret)
            let url = map.optional("url") { self.reader.url($0) }
            kind = key.map { .pagerDuty(routingKey: $0, url: url) }
        case "webhook":
            let url = secretURL()
            let headers = map.optional("headers", self.headers) ?? [:]
            kind = url.map { .webhook(url: $0, headers: headers) }
        case "command":
            kind = map.required("command", self.command).map { .command(argv: $0) }
        default:
            break
        }
        guard self.reader.diagnostics.errorCount == errorsBefore, let kind else { return nil }
        return NotifierSettings(kind: kind, delivery: delivery)
    }

    func headers(_ field: YAMLField) -> [String: Secret]? {
        guard case .mapping(let mapping) = field.node else {
            self.reader.mismatch(field, expected: "a mapping from header names to \(SecretReader.expectation)")
            return nil
        }
        var result: [String: Secret] = [:]
        var failed = false
        for (keyNode, value) in mapping {
            let token = Set("!#$%&'*+-.^_`|~".unicodeScalars)
            guard let header = keyNode.scalar?.string, !header.isEmpty,
                header.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic
                    || $0.properties.numericType != nil || token.contains($0)) })
            else {
                self.reader.diagnostics.error(
                    "header names are HTTP tokens like Authorization or X-Api-Key", at: keyNode
                )
                failed = true
                continue
            }
            guard let secret = self.secrets.secret(YAMLField(name: "headers.\(header)", node: value)) else {
                failed = true
                continue
            }
            result[header] = secret
        }
        return failed ? nil : result
    }

    func command(_ field: YAMLField) -> [String]? {
        let expectation = "a list: the program's absolute path, then its arguments"
        guard let items = self.reader.sequence(field, expected: expectation) else { return nil }
        guard let first = items.first else {
            self.reader.error("must name a program", at: field)
            return nil
        }
        let argv = items.map(self.reader.string)
        guard !argv.contains(nil) else { return nil }
        guard argv[0]?.hasPrefix("/") == true else {
            self.reader.error(
                "the program must be an absolute path (it is run without a shell), found \(first.foundDescription)",
                at: first
            )
            return nil
        }
        return argv.compactMap { $0 }
    }

    func routes(_ field: YAMLField, known: [String], checkNames: Bool) -> [String: [String]]? {
        guard case .mapping(let mapping) = field.node else {
            self.reader.mismatch(field, expected: "a mapping from action names to lists of notifier names")
            return nil
        }
        var result: [String: [String]] = [:]
        var failed = false
        for (keyNode, value) in mapping {
            guard let action = keyNode.scalar?.string, !action.isEmpty else {
                self.reader.diagnostics.error("route names are action names like page_oncall", at: keyNode)
                failed = true
                continue
            }
            let listField = YAMLField(name: "routes.\(action)", node: value)
            let items: [YAMLField]
            if listField.scalarText != nil {
                items = [listField]
            } else {
                guard let list = self.reader.sequence(listField, expected: "a list of notifier names") else {
                    failed = true
                    continue
                }
                items = list
            }
            var names: [String] = []
            for item in items {
                guard let name = self.reader.nonEmptyString(item) else {
                    failed = true
                    continue
                }
                if checkNames, !known.contains(name) {
                    var message = "unknown notifier '\(name)'"
                    if let suggestion = Suggestion.closest(to: name, in: known) {
                        message += "; did you mean '\(suggestion)'?"
                    }
                    message += known.isEmpty
                        ? " (no notifiers are defined)"
                        : " (defined: \(known.sorted().joined(separator: ", ")))"
                    self.reader.error(message, at: item)
                    failed = true
                    continue
                }
                names.append(name)
            }
            result[action] = names
        }
        return failed ? nil : result
    }

    private func isNotifierName(_ name: String) -> Bool {
        let punctuation = Set("_.-".unicodeScalars)
        return !name.isEmpty && name.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || scalar.properties.numericType != nil
                || punctuation.contains(scalar))
        }
    }
}
