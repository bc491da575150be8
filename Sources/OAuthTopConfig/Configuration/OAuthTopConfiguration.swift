import Notifiers
import TokenManager

/// The contents of `oauthtop.yaml`, as typed values.
///
/// Secrets named in the file (`{env: NAME}`, `{file: PATH}`) are already read into the providers'
/// `Secret`s. The schema is documented in `docs/configuration.md`.
public struct OAuthTopConfiguration: Sendable {
    /// The providers whose tokens are kept fresh, in file order; names are unique.
    public var providers: [ProviderConfiguration]
    /// `HOST:PORT` of the Prometheus `/metrics` listener; `nil` means the default, `127.0.0.1:9464`.
    public var listen: String?
    /// Where the token store and other state live; `nil` means `$XDG_STATE_HOME/oauthtop`.
    public var stateDirectory: String?
    /// The log level (`trace` ... `critical`); `nil` means the executable's default.
    public var logLevel: String?
    /// The dashboard's theme: a built-in name or a theme file's path; `--theme` overrides it.
    public var theme: String?
    /// The dashboard file's path (relative paths from the configuration file's directory); `nil`: the
    /// default dashboard (`docs/dashboards.md`).
    public var dashboard: String?
    /// The `alerting:` section: rule files, evaluation interval, notifiers and routes; `nil` when absent
    /// (the seed rules, alerts as JSON event lines, no notifiers).
    public var alerting: AlertingSettings?
    /// The `socket:` section: the daemon's local token socket; the defaults when absent.
    public var socket: SocketSettings
    /// The token files the daemon keeps (each provider's `sinks:`), in file order.
    public var sinks: [TokenSink]
    /// The `coordination:` section: refreshes shared with a fleet through Redis; `nil` refreshes alone.
    public var coordination: CoordinationSettings?
    /// The `proxies:` section: authenticating API proxies, in file order; names are unique.
    public var proxies: [ProxySettings]

    public init(
        providers: [ProviderConfiguration],
        listen: String? = nil,
        stateDirectory: String? = nil,
        logLevel: String? = nil,
        theme: String? = nil,
        dashboard: String? = nil,
        alerting: AlertingSettings? = nil,
        socket: SocketSettings = SocketSettings(),
        coordination: CoordinationSettings? = nil,
        sinks: [TokenSink] = [],
        proxies: [ProxySettings] = []
    ) {
        self.sinks = sinks
        self.proxies = proxies
        self.coordination = coordination
        self.alerting = alerting
        self.socket = socket
        self.providers = providers
        self.listen = listen
        self.stateDirectory = stateDirectory
        self.logLevel = logLevel
        self.theme = theme
        self.dashboard = dashboard
    }

    /// Reads and parses the configuration file at `path`.
    ///
    /// - Parameters:
    ///   - path: The file, as the user named it (diagnostics use this text).
    ///   - environment: The environment used to resolve `{env: NAME}` secrets.
    ///   - fileReader: Reads the file and the `{file: PATH}` secrets.
    /// - Returns: The configuration, if the file has no errors.
    /// - Throws: `ConfigError` listing every problem with its line and column.
    public static func load(
        path: String,
        environment: [String: String],
        fileReader: FileReader = .fileSystem
    ) throws(ConfigError) -> OAuthTopConfiguration {
        let text = try fileReader.text(of: path)
        return try self.parse(yaml: text, file: path, environment: environment, fileReader: fileReader).get()
    }

    /// Parses configuration text, collecting every diagnostic.
    ///
    /// - Parameters:
    ///   - yaml: The file's text.
    ///   - file: The name diagnostics use.
    ///   - environment: The environment used to resolve `{env: NAME}` secrets.
    ///   - fileReader: Reads `{file: PATH}` secrets.
    public static func parse(
        yaml: String,
        file: String,
        environment: [String: String],
        fileReader: FileReader = .fileSystem
    ) -> ParseOutcome<OAuthTopConfiguration> {
        let collector = DiagnosticCollector(file: file)
        let parser = ConfigurationParser(
            reader: YAMLReader(diagnostics: collector),
            environment: environment,
            fileReader: fileReader
        )
        let value = YAMLDocument.compose(yaml, diagnostics: collector).flatMap(parser.configuration)
        if value == nil, !collector.hasErrors {
            collector.report("the file is empty; expected a mapping with 'providers'", at: nil)
        }
        return ParseOutcome(value: value, collector: collector)
    }

    /// Checks the configuration file at `path` as `oauthtop config check` does.
    ///
    /// Secrets are resolved (so an unset variable is reported) and dropped with the values.
    public static func check(
        path: String,
        environment: [String: String],
        fileReader: FileReader = .fileSystem
    ) -> ConfigCheckReport {
        let text: String
        do {
            text = try fileReader.read(path)
        } catch {
            let diagnostics = ConfigError.unreadable(file: path, reason: error.reason).diagnostics
            return ConfigCheckReport(file: path, diagnostics: diagnostics, providerCount: nil)
        }
        let outcome = self.parse(yaml: text, file: path, environment: environment, fileReader: fileReader)
        var diagnostics = outcome.diagnostics
        // The rule files and the dashboard file the configuration names are checked with it.
        if let configuration = outcome.value {
            do {
                _ = try configuration.ruleGroups(configPath: path, fileReader: fileReader)
            } catch {
                diagnostics += error.diagnostics
            }
            do {
                _ = try configuration.dashboardDefinition(configPath: path, fileReader: fileReader)
            } catch {
                diagnostics += error.diagnostics
            }
        }
        return ConfigCheckReport(
            file: path,
            diagnostics: diagnostics,
            providerCount: outcome.value?.providers.count,
            coordinationURL: outcome.value?.coordination?.redis.url,
            proxyCount: outcome.value?.proxies.count ?? 0
        )
    }
}
