import Alerting
import ArgumentParser
import DemoIdentityProvider
import Foundation
import Logging
import OAuthTopConfig
import OAuthTopRuntime
import Telemetry

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the manager against an embedded identity provider with scheduled faults.",
        discussion: """
            The demo starts a real RFC 6749 token endpoint on two loopback ports ("primary" and \
            "secondary"), issues 20-second tokens, and injects a schedule of faults: slow \
            responses, 500s, a 429 with Retry-After, an outage of the primary (failover), and an \
            outage of both that opens the circuit breaker until the provider comes back. Simulated \
            long-running tasks ask for tokens all along. A second provider, "reports", runs on an \
            identity provider of its own with 45-second tokens and lighter faults, and an exec'd task \
            holds its token as `oauthtop exec` would (a shell loop that reads $OAUTHTOP_TOKEN_FILE and \
            calls the identity provider's protected /api/resource; it prints nothing). API calls go \
            through an API proxy ("demo-api", the "api" provider's token attached) to a third \
            identity provider's protected API, which has a quota of 60 requests per 30 s and faults \
            of its own: the proxy's token is revoked at 12s (the proxy refreshes and replays the \
            call), the quota runs out in each window (the proxy waits out the API's 429), and a \
            429 at 40s is waited out too (docs/proxy.md, docs/faults.md).

            Without --headless it opens the dashboard: the seven panels (the API calls strip last), \
            alerts, recent events; press \
            r to refresh the selected provider now, Enter for its detail view (token times and \
            windows, endpoints, breaker history, fallback, last error, consumers), c for the \
            consumers (the exec'd task), ? for help, q to quit. With --headless, events \
            are printed as JSON lines on stdout (no token or secret, only fingerprints) and logs go \
            to stderr. /metrics is served on a free loopback port (the "metrics_listening" event) \
            unless --listen says otherwise.

            When both endpoints are down and the token has expired, the tasks go on with the \
            fallback chain: the reports provider's token, then, once reports is down too, nothing \
            (emergency mode, shown in the header) until the demo approves the emergency key at \
            85s, then that key until OAuth is back (docs/faults.md). The seed's four alert rules \
            and the emergency rule run at the demo's time scale (rules/demo.rules.yaml, every \
            second): the breaker, fallback and emergency alerts fire and resolve; --rules FILE \
            evaluates your rule files instead (with the emergency rule unless they define it).

            Rehearse your own settings against the faults you fear with --faults FILE; the format \
            is in docs/faults.md, and `oauthtop demo --print-faults` prints the default schedule.

            Examples:
              oauthtop demo
              oauthtop demo --theme light --range 1m
              oauthtop demo --headless --duration 125s
              oauthtop demo --headless --faults my-faults.yaml --listen 127.0.0.1:9464
              oauthtop demo --headless --rules my.rules.yaml
            """
    )

    @Flag(help: "Run without the dashboard: JSON events on stdout, logs on stderr.")
    var headless = false

    @Option(help: ArgumentHelp("Stop after this long, e.g. 90s or 5m; by default run until Ctrl-C.", valueName: "duration"))
    var duration: DurationArgument?

    @Option(help: ArgumentHelp("A fault schedule file (docs/faults.md) instead of the default one.", valueName: "file"))
    var faults: String?

    @Flag(name: .customLong("print-faults"), help: "Print the default fault schedule as YAML and exit.")
    var printFaults = false

    @Option(
        name: .customLong("rules"),
        help: ArgumentHelp(
            "Alert rule files to evaluate instead of the demo's (repeatable; seed or Prometheus format).",
            valueName: "file"
        )
    )
    var ruleFiles: [String] = []

    @Option(help: ArgumentHelp("How many simulated long-running tasks ask for tokens.", valueName: "n"))
    var tasks = 8

    @OptionGroup var runtime: RuntimeOptions

    @OptionGroup(title: "Dashboard") var dashboard: DashboardFlags

    func validate() throws {
        guard (1...1000).contains(self.tasks) else { throw ValidationError("--tasks must be between 1 and 1000") }
        if let duration, duration.duration <= .zero { throw ValidationError("--duration must be positive") }
    }

    func run() async throws {
        if self.printFaults {
            print(DemoSchedule.defaultYAML)
            return
        }
        if !self.headless { try DashboardFlags.requireTerminal(command: "demo", instead: "`oauthtop demo --headless`") }
        let level = self.runtime.logLevel.flatMap(Logger.Level.init(rawValue:)) ?? .warning
        try LoggingSetup.bootstrapOrFail(
            level: level,
            to: self.headless ? .standardError : self.dashboard.logFile.map { .file($0) } ?? .none
        )
        let logger = Logger(label: "oauthtop.demo")
        let dashboardOptions = self.headless ? nil : self.dashboard.options(defaultRange: .oneMinute)
        let schedule: FaultSchedule
        do {
            schedule = try self.faults.map { try FaultScheduleFile.load(path: $0) } ?? DemoSchedule.default()
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(2)
        }
        let ruleGroups: [RuleGroup]
        do {
            ruleGroups = self.ruleFiles.isEmpty
                ? RuleFileParser.demoGroups()
                : RuleFileParser.withEmergencyRule(try RuleFileParser.load(paths: self.ruleFiles))
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(2)
        }
        let listen = try self.runtime.listen.map(RuntimeOptions.parseListen) ?? ListenAddress(host: "127.0.0.1", port: 0)

        try await DemoRun(
            schedule: schedule,
            ruleGroups: ruleGroups,
            tasks: self.tasks,
            listen: listen,
            duration: self.duration?.duration,
            dashboard: dashboardOptions,
            logger: logger
        ).run()
    }
}
