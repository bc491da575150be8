import Alerting
import ArgumentParser
import Foundation
import Logging
import OAuthTopConfig
import OAuthTopRuntime
import Telemetry
import TokenManager

struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Open the dashboard for the configured providers.",
        discussion: """
            Runs the token manager for the providers in oauthtop.yaml (found as for `run`) and shows \
            the dashboard: refresh success rate, token lifetime, refresh latency p99, fallback usage, \
            breaker state and refresh conflicts, with firing alerts and recent events. Keys: r \
            refresh the selected provider, R refresh all, tab/arrows select, +/- time range, p pause, \
            a alerts, Enter the selected provider's detail (token times and windows, endpoints' recent \
            outcomes, breaker history, fallback, last error, consumers), c the consumers (exec'd \
            tasks, sinks, socket clients), ? help, q quit. Attaching to a running daemon's socket comes later.

            Examples:
              oauthtop watch --config oauthtop.yaml
              oauthtop watch --theme high-contrast --refresh 2s
            """
    )

    @Option(help: ArgumentHelp("The configuration file.", valueName: "file"))
    var config: String?

    @OptionGroup var runtime: RuntimeOptions

    @OptionGroup(title: "Dashboard") var dashboard: DashboardFlags

    func run() async throws {
        try DashboardFlags.requireTerminal(command: "watch", instead: "`oauthtop run --headless`")
        let loaded = try ConfiguredManager.loadOrExit(explicitPath: self.config)
        let configuration = loaded.configuration
        let level = (self.runtime.logLevel ?? configuration.logLevel).flatMap(Logger.Level.init(rawValue:)) ?? .info
        try LoggingSetup.bootstrapOrFail(level: level, to: self.dashboard.logFile.map { .file($0) } ?? .none)
        let logger = Logger(label: "oauthtop")
        let listen = try (self.runtime.listen ?? configuration.listen).map(RuntimeOptions.parseListen) ?? .defaultMetrics
        let options = self.dashboard.options(
            configuredTheme: configuration.theme, dashboard: loaded.dashboard, defaultRange: .fiveMinutes)
        let alerting = AlertingSetup(
            groups: loaded.ruleGroups, settings: configuration.alerting, collector: loaded.collector,
            statePath: loaded.alertStatePath, logger: logger
        )
        try await ManagerRuntime(
            manager: loaded.manager, collector: loaded.collector, listen: listen, writer: nil,
            frontEnd: DashboardService(
                manager: loaded.manager, collector: loaded.collector, options: options, alerting: alerting.evaluation,
                logger: logger
            ),
            alerting: alerting,
            logger: logger
        ).run()
    }
}
