import Alerting
import Dashboard
import Foundation
import Logging
import OAuthTopConfig
import Telemetry
import TokenManager

/// The manager for the providers of `oauthtop.yaml`, with its collector and token store: what
/// `run` and `watch` share.
public struct ConfiguredManager: Sendable {
    public var configuration: OAuthTopConfiguration
    public var manager: OAuthTokenManager
    public var collector: TelemetryCollector
    /// Who holds the manager's tokens outside it (sinks, exec'd tasks, socket clients).
    public var consumers: ConsumerRegistry
    /// `oauth_token_requests_total`, in ``collector``.
    public var tokenRequests: TokenRequestCounter
    /// The fleet coordinator and its Redis client, with a `coordination:` section.
    public var fleet: FleetCoordination?
    public var storePath: String
    /// Where alert states are kept across restarts: `alerts.json` beside the token store.
    public var alertStatePath: String { (self.storePath as NSString).deletingLastPathComponent + "/alerts.json" }
    /// The alert rules: the configuration's rule files, or the seed's rules.
    public var ruleGroups: [RuleGroup]
    /// The dashboard: the configuration's dashboard file, or the default dashboard.
    public var dashboard: DashboardDefinition

    /// Finds and loads the configuration (`--config`, `$OAUTHTOP_CONFIG`, the XDG directory) and
    /// builds the manager over it, with the store in `state_dir` or `$XDG_STATE_HOME/oauthtop`.
    ///
    /// - Throws: `ConfigError` naming the file, line and column of every problem.
    public static func load(explicitPath: String?, environment: [String: String]) throws(ConfigError) -> ConfiguredManager {
        let location = try ConfigLocator.locate(explicitPath: explicitPath, environment: environment)
        let configuration = try OAuthTopConfiguration.load(path: location.path, environment: environment)
        let ruleGroups = try configuration.ruleGroups(configPath: location.path)
        let dashboard = try configuration.dashboardDefinition(configPath: location.path)
        let storePath = configuration.stateDirectory.map { $0 + "/tokens.json" }
            ?? FileTokenStore.defaultPath(environment: environment)
        let assembly: ManagerAssembly
        do {
            assembly = try ManagerAssembly(
                providers: configuration.providers, store: FileTokenStore(path: storePath),
                coordination: configuration.coordination, logger: Logger(label: "oauthtop.manager")
            )
        } catch {
            // The section passed the parser; what is left is what only the client checks (a TLS option).
            throw .invalid([Diagnostic(file: location.path, line: 0, column: 0, message: "coordination: \(error)")])
        }
        return ConfiguredManager(
            configuration: configuration,
            manager: assembly.manager,
            collector: assembly.collector,
            consumers: assembly.consumers,
            tokenRequests: assembly.tokenRequests,
            fleet: assembly.fleet,
            storePath: storePath,
            ruleGroups: ruleGroups,
            dashboard: dashboard
        )
    }
}
