import Foundation
import Hummingbird
import Logging
import OAuthTopConfig
import Primitives
import ServiceLifecycle
import Telemetry
import TokenManager

/// Runs the token manager with its services: the sampler feeding the in-process series,
/// `/metrics` on a loopback listener, and either the JSON-lines event stream on stdout (headless)
/// or a front end such as the dashboard, and the configured sinks (token files rewritten on every
/// refresh); clean shutdown on SIGINT/SIGTERM, when the front end
/// returns (the user quit) or after a set duration, with the store written last.
public struct ManagerRuntime: Sendable {
    public var manager: OAuthTokenManager
    public var collector: TelemetryCollector
    public var listen: ListenAddress
    /// Stop after this long; `nil` runs until a signal.
    public var duration: Duration?
    /// Services to run beside the manager (the demo's workload), stopped before it.
    public var extraServices: [any Service]
    /// Where events go as JSON lines; `nil` when a front end shows them.
    public var writer: JSONLineWriter?
    /// A service whose return ends the run (the dashboard), stopped first.
    public var frontEnd: (any Service)?
    /// The rule evaluator and notifiers; `nil` runs without alerting.
    public var alerting: AlertingSetup?
    /// The local token socket; `nil` serves none.
    public var tokenSocket: TokenSocketConfiguration?
    /// Endpoints added to the token socket beside its own (they run behind its access check).
    public var tokenSocketRoutes: @Sendable (Router<TokenSocketRequestContext>) -> Void
    /// Token files kept fresh for other programs (`sinks:`); none by default.
    public var sinks: [TokenSink]
    /// The authenticating API proxies (`proxies:`), one ``APIProxyService`` each; none by default.
    public var proxies: [ProxySettings] = []
    /// Told where each proxy listens, once it does (the demo's API calls go to its URL).
    public var onProxyListening: @Sendable (APIProxyService.Listening) async -> Void = { _ in }
    /// The quota seam of each proxy (``ProxyHooks``); `nil` gives a proxy no quota awareness.
    public var proxyHooks: @Sendable (ProxySettings) -> (any ProxyHooks)? = { _ in nil }
    /// Where the sinks show up as consumers.
    public var consumers: ConsumerRegistry
    /// The token socket's clients; shared with whoever else lists consumers (a dashboard).
    public var socketConsumers = SocketConsumers()
    /// Counts the sinks' writes; `nil` makes one over ``collector``.
    public var tokenRequests: TokenRequestCounter?
    public var logger: Logger

    public init(
        manager: OAuthTokenManager,
        collector: TelemetryCollector,
        listen: ListenAddress,
        duration: Duration? = nil,
        extraServices: [any Service] = [],
        writer: JSONLineWriter? = JSONLineWriter(),
        frontEnd: (any Service)? = nil,
        alerting: AlertingSetup? = nil,
        tokenSocket: TokenSocketConfiguration? = nil,
        tokenSocketRoutes: @escaping @Sendable (Router<TokenSocketRequestContext>) -> Void = { _ in },
        sinks: [TokenSink] = [],
        consumers: ConsumerRegistry = ConsumerRegistry(),
        tokenRequests: TokenRequestCounter? = nil,
        logger: Logger
    ) {
        self.tokenSocketRoutes = tokenSocketRoutes
        self.sinks = sinks
        self.consumers = consumers
        self.tokenRequests = tokenRequests
        self.alerting = alerting
        self.tokenSocket = tokenSocket
        self.manager = manager
        self.collector = collector
        self.listen = listen
        self.duration = duration
        self.extraServices = extraServices
        self.writer = writer
        self.frontEnd = frontEnd
        self.logger = logger
    }

    /// Every consumer of the tokens: sinks and exec'd tasks (``consumers``), then the socket's clients.
    public var allConsumers: @Sendable () -> [Consumer] {
        { [consumers, socketConsumers] in consumers.snapshot() + socketConsumers.consumers() }
    }

    /// Runs until a signal or the duration ends.
    ///
    /// - Throws: When a service fails, e.g. the metrics address cannot be bound.
    public func run() async throws {
        let writer = self.writer
        if let writer {
            self.manager.subscribe { writer.emit(EventJSON.line(for: $0)) }
            self.alerting?.evaluation.subscribe { writer.emit(EventJSON.line(for: $0)) }
        }
        let manager = self.manager
        self.collector.addSampleHook { manager.publishGauges() }
        // The counters the manager made at 0 get their 0 sample before any refresh can run, so the first
        // refresh is an increase the panels see (the sampler's own first sample races the manager's start).
        self.collector.sample(at: WallClock.system.nowMilliseconds())

        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            // First in, last out: on shutdown the manager stops last and writes the store.
            .init(service: self.manager, successTerminationBehavior: .gracefullyShutdownGroup),
            .init(service: TelemetrySamplerService(collector: self.collector)),
            .init(
                service: MetricsServer(collector: self.collector, address: self.listen, logger: self.logger) { host, port in
                    let shown = host.contains(":") ? "[\(host)]" : host
                    writer?.emit(
                        EventJSON.line(
                            event: "metrics_listening", timestamp: WallClock.realtimeNanos(),
                            fields: [("url", .string("http://\(shown):\(port)/metrics"))]
                        )
                    )
                }
            ),
        ]
        if let socket = self.makeTokenSocket(writer: writer) {
            // After the manager, so that it stops first: no request waits on a stopped manager.
            services.append(.init(service: socket))
        }
        for proxy in self.makeProxies(writer: writer) {
            // After the manager, so that they stop before it: no request waits on a stopped manager.
            services.append(.init(service: proxy))
        }
        if !self.sinks.isEmpty {
            let sinks = TokenSinkService(
                sinks: self.sinks, source: ManagerTokenSource(manager: self.manager), consumers: self.consumers,
                requests: self.tokenRequests ?? TokenRequestCounter(factory: self.collector),
                logger: self.logger
            )
            services.append(.init(service: sinks))
        }
        // The dispatcher is listed before the evaluator so that it stops after it and drains its queues.
        if let dispatcher = self.alerting?.dispatcher {
            services.append(.init(service: dispatcher))
        }
        if let evaluation = self.alerting?.evaluation {
            services.append(.init(service: evaluation))
        }
        services += self.extraServices.map { .init(service: $0) }
        if let frontEnd = self.frontEnd {
            services.append(.init(service: frontEnd, successTerminationBehavior: .gracefullyShutdownGroup))
        }
        if let duration = self.duration {
            services.append(.init(service: ShutdownAfter(duration), successTerminationBehavior: .gracefullyShutdownGroup))
        }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services,
                gracefulShutdownSignals: [.sigterm, .sigint, .sighup],
                logger: self.logger
            )
        )
        try await group.run()
        writer?.emit(EventJSON.line(event: "stopped", timestamp: WallClock.realtimeNanos(), fields: []))
    }

    /// One service per proxy, each reporting where it listens as a `proxy_listening` event and a log line.
    private func makeProxies(writer: JSONLineWriter?) -> [APIProxyService] {
        // TCP listeners' secret files go beside the token socket unless a proxy names its own.
        let directory = self.tokenSocket.map { ($0.path as NSString).deletingLastPathComponent } ?? NSTemporaryDirectory()
        let logger = self.logger
        let onListening = self.onProxyListening
        return self.proxies.map { settings in
            APIProxyService(
                settings: settings, defaultDirectory: directory, manager: self.manager, metricsFactory: self.collector,
                hooks: self.proxyHooks(settings), logger: logger
            ) { listening in
                var fields: [(key: String, value: TokenEvent.Value)] = [
                    ("proxy", .string(listening.name)), ("url", .string(listening.url)),
                    ("provider", .string(settings.provider)), ("upstream", .string(settings.upstream)),
                ]
                if let file = listening.secretFile { fields.append(("secret_file", .string(file))) }
                writer?.emit(
                    EventJSON.line(event: "proxy_listening", timestamp: WallClock.realtimeNanos(), fields: fields)
                )
                logger.info(
                    "proxy listening",
                    metadata: ["proxy": "\(listening.name)", "url": "\(listening.url)", "upstream": "\(settings.upstream)"]
                )
                await onListening(listening)
            }
        }
    }

    /// The token socket's service, reporting where it listens as a `socket_listening` event.
    private func makeTokenSocket(writer: JSONLineWriter?) -> TokenSocketServer? {
        guard let configuration = self.tokenSocket else { return nil }
        let alerting = self.alerting
        let handler = TokenSocketHandler(
            manager: self.manager,
            socketPath: configuration.path,
            metrics: TokenRequestMetrics(
                consumer: "socket", providers: self.manager.providers.map(\.name), factory: self.collector
            ),
            consumers: self.socketConsumers,
            alerts: { alerting?.evaluation.alertRows() ?? [] },
            // The sinks (and exec'd tasks of this process, if any) after the socket's clients.
            otherConsumers: { [consumers] in consumers.snapshot().map(SocketStatus.Consumer.init) },
            // Made here, before the group runs, so that its event log sees the first refresh.
            dashboard: LocalDashboardFeed(
                manager: self.manager, collector: self.collector, alerting: alerting?.evaluation,
                consumers: self.allConsumers
            ),
            prometheusAPI: PrometheusAPIEndpoint(
                source: alerting?.evaluation.seriesSource ?? self.collector,
                alerts: { alerting?.evaluation.activeAlerts() ?? [] }
            )
        )
        let onListening: @Sendable (TokenSocketServer.Listening) async -> Void = { listening in
            var fields: [(key: String, value: TokenEvent.Value)] = [("path", .string(listening.path))]
            if let url = listening.tcpURL { fields.append(("tcp_url", .string(url))) }
            if let file = listening.secretFile { fields.append(("secret_file", .string(file))) }
            writer?.emit(
                EventJSON.line(event: "socket_listening", timestamp: WallClock.realtimeNanos(), fields: fields)
            )
        }
        return TokenSocketServer(
            configuration: configuration, handler: handler, logger: self.logger, routes: self.tokenSocketRoutes,
            onListening: onListening
        )
    }
}
