import Alerting
import DemoIdentityProvider
import Foundation
import Logging
import Telemetry
import TokenManager

/// One run of `oauthtop demo`: the embedded identity provider with its fault schedule, a manager
/// pointed at it with the demo's provider, a second provider (`reports`) on an identity provider of its
/// own with longer tokens and lighter faults, simulated tasks asking for tokens, an exec'd task
/// holding a `reports` token (``DemoExecTask``), API calls through an API proxy to a third identity
/// provider's protected API with a quota and faults of its own (the `api` provider, ``DemoAPIWorkload``),
/// the demo's alert rules every second, and either the dashboard or JSON event lines.
///
/// The executable only parses arguments into this value and calls ``run()``.
public struct DemoRun: Sendable {
    /// The faults the identity provider injects.
    public var schedule: FaultSchedule
    /// The alert rules evaluated every second.
    public var ruleGroups: [RuleGroup]
    /// How many simulated long-running tasks ask for tokens.
    public var tasks: Int
    /// Where `/metrics` listens.
    public var listen: ListenAddress
    /// Stop after this long; `nil` runs until a signal or until the user quits.
    public var duration: Duration?
    /// The dashboard's options; `nil` runs headless with JSON event lines on stdout.
    public var dashboard: DashboardOptions?
    public var logger: Logger

    public init(
        schedule: FaultSchedule,
        ruleGroups: [RuleGroup],
        tasks: Int,
        listen: ListenAddress,
        duration: Duration?,
        dashboard: DashboardOptions?,
        logger: Logger
    ) {
        self.schedule = schedule
        self.ruleGroups = ruleGroups
        self.tasks = tasks
        self.listen = listen
        self.duration = duration
        self.dashboard = dashboard
        self.logger = logger
    }

    /// Runs the demo until its duration ends, a signal arrives or the user quits the dashboard.
    ///
    /// - Throws: When the identity provider or a service fails, e.g. the metrics address cannot be bound.
    public func run() async throws {
        let clientSecret = DemoSetup.randomSecret()
        let identityProvider = DemoIdentityProvider(
            configuration: DemoSetup.identityProviderConfiguration(clientSecret: clientSecret),
            schedule: self.schedule,
            logger: Logger(label: "oauthtop.demo.idp")
        )
        let reportsSecret = DemoSetup.randomSecret()
        let reportsIdentityProvider = DemoIdentityProvider(
            configuration: DemoSetup.reportsIdentityProviderConfiguration(clientSecret: reportsSecret),
            schedule: DemoSetup.reportsSchedule(),
            logger: Logger(label: "oauthtop.demo.idp.reports")
        )
        let apiSecret = DemoSetup.randomSecret()
        let apiIdentityProvider = DemoIdentityProvider(
            configuration: DemoSetup.apiIdentityProviderConfiguration(clientSecret: apiSecret),
            schedule: DemoSetup.apiSchedule(),
            logger: Logger(label: "oauthtop.demo.idp.api")
        )
        // Where the demo's proxy listens, for the API calls: told once it does.
        let (proxyAddresses, proxyListening) = AsyncStream.makeStream(of: APIProxyService.Listening.self)
        let writer: JSONLineWriter? = self.dashboard == nil ? JSONLineWriter() : nil
        let approvalDirectory = try DemoApproval.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: approvalDirectory) }
        let approvalFile = approvalDirectory + "/" + DemoSetup.approvalFileName
        let approvalAt = ContinuousClock.now + DemoSetup.approvalAt
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await identityProvider.run() }
            group.addTask { try await reportsIdentityProvider.run() }
            group.addTask { try await apiIdentityProvider.run() }
            let endpoints = try await identityProvider.waitUntilListening()
            let reportsEndpoints = try await reportsIdentityProvider.waitUntilListening()
            let apiEndpoints = try await apiIdentityProvider.waitUntilListening()
            writer?.emit(
                EventJSON.line(
                    event: "demo_started", timestamp: WallClock.realtimeNanos(),
                    fields: [("faults", .int(Int64(self.schedule.faults.count)))]
                        + endpoints.map { (key: "endpoint_\($0.name)", value: .string($0.url)) }
                )
            )
            let refreshToken = identityProvider.issueRefreshToken(clientID: DemoSetup.clientID)
            let assembly = try ManagerAssembly(
                providers: [
                    DemoSetup.providerConfiguration(
                        endpoints: endpoints.map(\.url), clientSecret: clientSecret, refreshToken: refreshToken,
                        approvalFile: approvalFile
                    ),
                    DemoSetup.reportsProviderConfiguration(
                        endpoints: reportsEndpoints.map(\.url), clientSecret: reportsSecret,
                        refreshToken: reportsIdentityProvider.issueRefreshToken(clientID: DemoSetup.clientID)
                    ),
                    DemoSetup.apiProviderConfiguration(
                        endpoints: apiEndpoints.map(\.url), clientSecret: apiSecret,
                        refreshToken: apiIdentityProvider.issueRefreshToken(clientID: DemoSetup.clientID)
                    ),
                ],
                logger: Logger(label: "oauthtop.manager")
            )
            let resource = reportsEndpoints.last.map { "http://\($0.host):\($0.port)/api/resource" } ?? ""
            let execTask = DemoExecTask(
                manager: assembly.manager, provider: DemoSetup.reportsProvider, resourceURL: resource,
                assembly: assembly, logger: self.logger
            )
            let (manager, collector) = (assembly.manager, assembly.collector)
            // Rules every second: the demo's time scale is seconds.
            let alerting = AlertingSetup(
                groups: self.ruleGroups, settings: nil, interval: .seconds(1), collector: collector, manager: manager,
                logger: self.logger
            )
            let apiBase = apiEndpoints.first.map {
                "http://\($0.host):\($0.port)\(apiIdentityProvider.configuration.api.pathPrefix)"
            } ?? ""
            let apiCalls = DemoAPIWorkload(
                proxy: {
                    var addresses = proxyAddresses.makeAsyncIterator()
                    return await addresses.next()
                },
                logger: self.logger
            )
            // The simulated token users ask for the `demo` and `reports` tokens; the API calls use `api`'s.
            let workloads = manager.providers.filter { $0.name != DemoSetup.apiProvider }.map {
                DemoWorkload(manager: manager, provider: $0, tasks: self.tasks)
            }
            var runtime = ManagerRuntime(
                manager: manager,
                collector: collector,
                listen: self.listen,
                duration: self.duration,
                extraServices: workloads
                    + [
                        execTask,
                        apiCalls,
                        DemoApproval(
                            manager: manager, provider: "demo", file: approvalFile, at: approvalAt, logger: self.logger
                        ),
                    ],
                writer: writer,
                frontEnd: self.dashboard.map {
                    DashboardService(
                        manager: manager, collector: collector, options: $0, alerting: alerting.evaluation,
                        consumers: { assembly.consumers.snapshot() }, logger: self.logger
                    )
                },
                alerting: alerting,
                consumers: assembly.consumers,
                logger: self.logger
            )
            runtime.proxies = [
                DemoSetup.apiProxySettings(
                    upstream: apiBase,
                    secretFile: approvalDirectory + "/proxy-\(DemoSetup.apiProxyName).secret"
                )
            ]
            runtime.onProxyListening = { listening in proxyListening.yield(listening) }
            try await runtime.run()
            proxyListening.finish()
            group.cancelAll()
        }
    }
}
