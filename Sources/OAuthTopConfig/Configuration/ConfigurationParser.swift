import Notifiers
import TokenManager
import Yams

/// Walks the node tree of `oauthtop.yaml` into an `OAuthTopConfiguration`.
struct ConfigurationParser {
    let reader: YAMLReader
    let secrets: SecretReader

    init(reader: YAMLReader, environment: [String: String], fileReader: FileReader) {
        self.reader = reader
        self.secrets = SecretReader(reader: reader, environment: environment, fileReader: fileReader)
    }

    static let topLevelKeys = [
        "listen", "state_dir", "log_level", "theme", "dashboard", "providers", "alerting", "socket",
        "coordination", "proxies",
    ]
    static let logLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    func configuration(_ root: Node) -> OAuthTopConfiguration? {
        let rootField = YAMLField(name: "", node: root)
        guard case .mapping = root else {
            self.reader.diagnostics.error(
                "expected a mapping with keys \(Self.topLevelKeys.joined(separator: ", ")), "
                    + "found \(rootField.foundDescription)",
                at: root
            )
            return nil
        }
        guard let top = self.reader.mapping(rootField, allowedKeys: Self.topLevelKeys, context: "the top level")
        else { return nil }
        let listen = top.optional("listen", self.listenAddress)
        let stateDirectory = top.optional("state_dir", self.reader.nonEmptyString)
        let logLevel = top.optional("log_level") { self.reader.choice($0, from: Self.logLevels) }
        let theme = top.optional("theme", self.reader.nonEmptyString)
        let dashboard = top.optional("dashboard", self.reader.nonEmptyString)
        let parsed = top.required("providers", self.providers) ?? []
        let alerting = top.optional("alerting") { AlertingSettingsParser(secrets: self.secrets).settings($0) }
        let socket = top.optional("socket") { SocketSettingsParser(reader: self.reader).settings($0) }
        let coordination = top.optional("coordination") {
            CoordinationSettingsParser(secrets: self.secrets).settings($0)
        }
        let proxies = top.optional("proxies") { field in
            ProxySettingsParser(reader: self.reader).proxies(field).map { self.checkProxyProviders($0, known: parsed) }
        }
        return OAuthTopConfiguration(
            providers: parsed.map(\.configuration),
            listen: listen,
            stateDirectory: stateDirectory,
            logLevel: logLevel,
            theme: theme,
            dashboard: dashboard,
            alerting: alerting,
            socket: socket ?? SocketSettings(),
            coordination: coordination,
            sinks: parsed.flatMap { provider in
                provider.sinks.map { TokenSink(provider: provider.configuration.name, file: $0.file) }
            },
            proxies: proxies ?? []
        )
    }

    /// Reports each proxy whose `provider` is not in `providers:`; returns the proxies' settings.
    private func checkProxyProviders(_ proxies: [ProxySettingsParser.Parsed], known: [ParsedProvider]) -> [ProxySettings] {
        let names = known.map(\.configuration.name)
        // Without providers (a mistake reported already) every name would be unknown.
        for proxy in proxies where !names.isEmpty && !names.contains(proxy.settings.provider) {
            var message = "unknown provider '\(proxy.settings.provider)'"
            if let suggestion = Suggestion.closest(to: proxy.settings.provider, in: names) {
                message += "; did you mean '\(suggestion)'?"
            }
            message += " (providers: \(names.joined(separator: ", ")))"
            self.reader.error(message, at: proxy.providerField)
        }
        return proxies.map(\.settings)
    }

    /// `HOST:PORT`, with `[::1]:PORT` for IPv6.
    func listenAddress(_ field: YAMLField) -> String? {
        let expectation = "HOST:PORT like 127.0.0.1:9464"
        guard let text = field.scalarText?.trimmingSpaces,
            let colon = text.lastIndex(of: ":")
        else {
            self.reader.mismatch(field, expected: expectation)
            return nil
        }
        let host = text[..<colon]
        guard !host.isEmpty, let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            self.reader.mismatch(field, expected: expectation)
            return nil
        }
        return text
    }

    func providers(_ field: YAMLField) -> [ParsedProvider]? {
        guard let items = self.reader.sequence(field, expected: "a list of providers") else { return nil }
        guard !items.isEmpty else {
            self.reader.error("at least one provider is required", at: field)
            return nil
        }
        var firstLine: [String: Int] = [:]
        var parsed: [ParsedProvider] = []
        for item in items {
            guard let provider = self.provider(item) else { continue }
            parsed.append(provider)
            if let line = firstLine[provider.configuration.name] {
                self.reader.error(
                    "duplicate provider name '\(provider.configuration.name)' (first defined at line \(line))",
                    at: provider.nameField
                )
            } else {
                firstLine[provider.configuration.name] = provider.nameField.position?.line ?? 0
            }
        }
        self.checkFallbackReferences(parsed, items: items)
        self.checkSinkPaths(parsed)
        return parsed
    }
}
