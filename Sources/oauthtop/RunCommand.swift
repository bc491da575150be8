import Alerting
import ArgumentParser
import Foundation
import Logging
import OAuthTopConfig
import OAuthTopRuntime
import Telemetry
import TokenManager

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the daemon: keep the configured providers' tokens fresh, evaluate alert rules, serve /metrics.",
        discussion: """
            Reads oauthtop.yaml from --config, else $OAUTHTOP_CONFIG, else \
            $XDG_CONFIG_HOME/oauthtop/oauthtop.yaml (~/.config when unset). Tokens persist in \
            the state directory (state_dir in the file, else $XDG_STATE_HOME/oauthtop) in a 0600 \
            file, so a restart does not refresh needlessly. Events are JSON lines on stdout, logs \
            go to stderr, /metrics listens on --listen, else `listen` in the file, else \
            127.0.0.1:9464. SIGINT, SIGTERM or SIGHUP stops it cleanly, writing the store last.

            Alert rules (alerting.rule_files, else the seed's four rules; with the built-in \
            oauth_emergency_mode rule unless the files define it) are evaluated every \
            alerting.evaluation_interval (15s); state changes are JSON lines (alert_pending, \
            alert_firing, alert_resolved) and alerts go to the notifiers their action routes to \
            (docs/alerting.md).

            The local token socket (docs/socket.md) serves GET /v1/token/PROVIDER, GET /v1/status \
            and POST /v1/refresh[/PROVIDER] to this user (and socket.group) at --socket, else \
            socket.path in the file, else $XDG_RUNTIME_DIR/oauthtop/oauthtop.sock \
            (/tmp/oauthtop-UID/oauthtop.sock without XDG_RUNTIME_DIR); `oauthtop token`, `status` \
            and `refresh` talk to it. The socket_listening event says where it listens.

            API proxies (`proxies:` in the file, docs/proxy.md) listen on a 0600 Unix socket or a \
            loopback port (which requires the per-run bearer secret in its secret file) and forward each \
            request to their upstream with the provider's token attached, refreshing and replaying once \
            on an auth error and honouring Retry-After; the proxy_listening event says where each listens.

            Sinks (each provider's `sinks:` in the file) are token files rewritten atomically, with \
            their mode, owner and group, at start and after every refresh (docs/exec-and-sinks.md).

            Examples:
              oauthtop run --headless --config /etc/oauthtop/oauthtop.yaml
              OAUTHTOP_CONFIG=./oauthtop.yaml oauthtop run --headless --listen 127.0.0.1:0
            """
    )

    @Flag(help: "Run without a terminal (the daemon's only mode; `oauthtop watch` opens the dashboard).")
    var headless = false

    @Option(help: ArgumentHelp("The configuration file.", valueName: "file"))
    var config: String?

    @Option(help: ArgumentHelp("Stop after this long, e.g. 10m; by default run until a signal.", valueName: "duration"))
    var duration: DurationArgument?

    @Option(
        help: ArgumentHelp(
            "The token socket's path (overrides socket.path; serves it even with socket.enabled: false).",
            valueName: "path"
        )
    )
    var socket: String?

    @OptionGroup var runtime: RuntimeOptions

    func run() async throws {
        let loaded = try ConfiguredManager.loadOrExit(explicitPath: self.config)
        let configuration = loaded.configuration
        let level = (self.runtime.logLevel ?? configuration.logLevel).flatMap(Logger.Level.init(rawValue:)) ?? .info
        try LoggingSetup.bootstrapOrFail(level: level)
        let logger = Logger(label: "oauthtop")
        let listen = try (self.runtime.listen ?? configuration.listen).map(RuntimeOptions.parseListen) ?? .defaultMetrics
        logger.info("starting", metadata: ["providers": "\(configuration.providers.count)", "store": "\(loaded.storePath)"])
        let alerting = AlertingSetup(
            groups: loaded.ruleGroups, settings: configuration.alerting, collector: loaded.collector,
            statePath: loaded.alertStatePath, manager: loaded.manager, logger: logger
        )
        let tokenSocket: TokenSocketConfiguration?
        do {
            tokenSocket = try TokenSocketConfiguration.resolve(
                configuration.socket, pathOverride: self.socket, environment: ProcessInfo.processInfo.environment
            )
        } catch {
            FileHandle.standardError.write(Data("oauthtop: \(error)\n".utf8))
            throw ExitCode(2)
        }
        do {
            var runtime = ManagerRuntime(
                manager: loaded.manager, collector: loaded.collector, listen: listen, duration: self.duration?.duration,
                alerting: alerting, tokenSocket: tokenSocket, sinks: configuration.sinks, consumers: loaded.consumers,
                tokenRequests: loaded.tokenRequests, logger: logger
            )
            runtime.proxies = configuration.proxies
            try await runtime.run()
        } catch {
            await loaded.fleet?.shutdown()
            throw error
        }
        // The fleet's Redis connections close with the daemon (a lock it held is released by its round).
        await loaded.fleet?.shutdown()
    }
}
