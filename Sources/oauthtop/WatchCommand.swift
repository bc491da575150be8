import Alerting
import ArgumentParser
import Foundation
import Logging
import OAuthTopConfig
import OAuthTopRuntime
import ServiceLifecycle
import Telemetry
import TokenManager

struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Open the dashboard: of a running daemon, of a fleet in Prometheus, or of its own token manager.",
        discussion: """
            The dashboard shows refresh success rate, token lifetime, refresh latency p99, fallback \
            usage, breaker state and refresh conflicts (the panels are PromQL queries), with the \
            providers, firing alerts and recent events. Keys: r refresh the selected provider, R \
            refresh all, tab/arrows select, +/- time range, p pause, a alerts, Enter the selected \
            provider's detail (token times and windows, endpoints' recent outcomes, breaker \
            history, fallback, last error, consumers), c the consumers (exec'd tasks, sinks, socket \
            clients), ? help, q quit.

            Where the data comes from:
              - a running daemon (`oauthtop run`): when one answers on its token socket (--socket, \
            else $OAUTHTOP_SOCKET, else the default path, docs/socket.md), watch attaches to it: \
            the daemon's providers, consumers, events and alerts, the panels evaluated by the \
            daemon, and r refreshes in the daemon. No second token manager starts.
              - --prometheus URL: a fleet view from a Prometheus server that scrapes oauthtop \
            daemons: the same panels from its /api/v1/query_range, a provider row per provider \
            and instance, its /api/v1/alerts. Read-only: r names the command that refreshes. \
            Give its scrape interval with --scrape-interval (15s by default) so the graphs' steps \
            hold two samples.
              - otherwise, or with --config or --in-process: a token manager in this process for \
            the providers in oauthtop.yaml (found as for `run`).

            Examples:
              oauthtop watch
              oauthtop watch --socket /run/user/1000/oauthtop/oauthtop.sock
              oauthtop watch --prometheus http://127.0.0.1:9090 --scrape-interval 15s
              oauthtop watch --config oauthtop.yaml --theme high-contrast --refresh 2s
            """
    )

    @Option(help: ArgumentHelp("The configuration file (runs a token manager in this process).", valueName: "file"))
    var config: String?

    @Option(help: ArgumentHelp("Attach to the daemon at this token socket.", valueName: "path"))
    var socket: String?

    @Option(help: ArgumentHelp("Show the fleet a Prometheus server scrapes (http://HOST:PORT).", valueName: "url"))
    var prometheus: String?

    @Option(
        name: .customLong("scrape-interval"),
        help: ArgumentHelp("With --prometheus: how often it scrapes the daemons (default 15s).", valueName: "duration")
    )
    var scrapeInterval: DurationArgument?

    @Flag(name: .customLong("in-process"), help: "Run a token manager in this process even when a daemon is running.")
    var inProcess = false

    @OptionGroup var runtime: RuntimeOptions

    @OptionGroup(title: "Dashboard") var dashboard: DashboardFlags

    func validate() throws {
        let sources = [self.socket != nil, self.prometheus != nil, self.config != nil || self.inProcess]
        if sources.filter({ $0 }).count > 1 {
            throw ValidationError("choose one of --socket, --prometheus, and --config/--in-process")
        }
        if self.scrapeInterval != nil, self.prometheus == nil {
            throw ValidationError("--scrape-interval goes with --prometheus")
        }
        if let interval = self.scrapeInterval, interval.duration < .seconds(1) {
            throw ValidationError("--scrape-interval must be at least 1s")
        }
    }

    func run() async throws {
        try DashboardFlags.requireTerminal(command: "watch", instead: "`oauthtop run --headless`")
        if let prometheus = self.prometheus {
            try await self.watchPrometheus(prometheus)
            return
        }
        let environment = ProcessInfo.processInfo.environment
        let socketPath = TokenSocketPath.forClient(explicit: self.socket, environment: environment)
        if self.socket != nil || (self.config == nil && !self.inProcess && TokenSocketPath.isListening(socketPath)) {
            try await self.attach(socketPath: socketPath)
            return
        }
        try await self.watchInProcess()
    }

    /// The dashboard of the daemon at `socketPath`.
    private func attach(socketPath: String) async throws {
        guard TokenSocketPath.isListening(socketPath) else {
            FileHandle.standardError.write(Data("oauthtop watch: no oauthtop daemon at \(socketPath)\n".utf8))
            throw ExitCode(69)
        }
        let logger = try self.bootstrapLogging(level: nil)
        let endpoint = TokenSocketEndpoint.unix(socketPath)
        let feed = SocketDashboardFeed(
            client: TokenSocketClient(endpoint: endpoint, timeout: .seconds(10)),
            panelSource: PrometheusQueryClient(endpoint: endpoint)
        )
        try await self.runDashboard(feed: feed, resolution: .seconds(1), logger: logger)
    }

    /// The fleet view of the Prometheus server at `url`.
    private func watchPrometheus(_ url: String) async throws {
        let client: PrometheusQueryClient
        do {
            client = try PrometheusQueryClient(baseURL: url)
        } catch {
            throw ValidationError("--prometheus: \(error)")
        }
        let logger = try self.bootstrapLogging(level: nil)
        let feed = PrometheusDashboardFeed(server: client.description, panelSource: client) {
            try await client.alertRows()
        }
        try await self.runDashboard(feed: feed, resolution: self.scrapeInterval?.duration ?? .seconds(15), logger: logger)
    }

    /// Runs the dashboard alone until the user quits or a signal arrives.
    private func runDashboard(feed: any DashboardFeed, resolution: Duration, logger: Logger) async throws {
        let options = self.dashboard.options(defaultRange: .fiveMinutes)
        let service = DashboardService(feed: feed, options: options, resolution: resolution, logger: logger)
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup)],
                gracefulShutdownSignals: [.sigterm, .sigint, .sighup],
                logger: logger
            )
        )
        try await group.run()
    }

    /// A token manager in this process, with the dashboard over it.
    private func watchInProcess() async throws {
        let loaded = try ConfiguredManager.loadOrExit(explicitPath: self.config)
        let configuration = loaded.configuration
        let logger = try self.bootstrapLogging(level: configuration.logLevel)
        let listen = try (self.runtime.listen ?? configuration.listen).map(RuntimeOptions.parseListen) ?? .defaultMetrics
        let options = self.dashboard.options(
            configuredTheme: configuration.theme, dashboard: loaded.dashboard, defaultRange: .fiveMinutes)
        let alerting = AlertingSetup(
            groups: loaded.ruleGroups, settings: configuration.alerting, collector: loaded.collector,
            statePath: loaded.alertStatePath, manager: loaded.manager, logger: logger
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

    /// Logs go to --log-file or nowhere: the dashboard owns the terminal.
    private func bootstrapLogging(level configured: String?) throws -> Logger {
        let level = (self.runtime.logLevel ?? configured).flatMap(Logger.Level.init(rawValue:)) ?? .info
        try LoggingSetup.bootstrapOrFail(level: level, to: self.dashboard.logFile.map { .file($0) } ?? .none)
        return Logger(label: "oauthtop")
    }
}
