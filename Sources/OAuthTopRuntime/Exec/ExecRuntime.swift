import Logging
import OAuthTopConfig
import ServiceLifecycle
import Telemetry
import TokenManager

/// `oauthtop exec` with its own token manager in this process (no daemon): the manager's refresher
/// (and, with a listen address, the sampler and `/metrics`) run as services while the ``ExecTask``
/// runs; when the command ends they stop and the token store is written.
///
/// The command's `$OAUTHTOP_TOKEN_URL` is served too: a token socket of this process on a private path
/// (a new 0700 directory, as for the token file), answering `GET /v1/token/{provider}` with the same
/// single-flight manager, so a command written for the daemon's endpoint works without one.
///
/// The services take no signals: SIGINT, SIGTERM, SIGHUP and SIGQUIT go to the command, whose exit
/// ends the run. The services then get ``shutdownGrace`` to stop (a refresh stuck on an unanswering
/// token endpoint is not waited for beyond it; the store is written either way).
public struct ExecRuntime: Sendable {
    public var loaded: ConfiguredManager
    /// Where `/metrics` listens; `nil` serves none (the usual case for a one-off job).
    public var listen: ListenAddress?
    public var logger: Logger
    /// How long the services may take to stop once the command has ended.
    public var shutdownGrace: Duration = .seconds(3)
    /// Whether to serve the command a private token socket (`$OAUTHTOP_TOKEN_URL`).
    public var servesTokenSocket = true
    /// The API proxies to serve the command on private listeners (``ExecProxies``); none by default.
    public var proxies: [ProxySettings] = []

    public init(loaded: ConfiguredManager, listen: ListenAddress? = nil, logger: Logger) {
        self.loaded = loaded
        self.listen = listen
        self.logger = logger
    }

    /// The in-process token source, for ``ExecTask/source``.
    public var source: any TokenSource { ManagerTokenSource(manager: self.loaded.manager) }

    /// Runs `task` (whose source should be ``source``) with the manager's services around it.
    ///
    /// - Returns: The command's exit status.
    /// - Throws: ``ExecError`` when the command was not started.
    public func run(_ task: ExecTask) async throws(ExecError) -> Int32 {
        var task = task
        let manager = self.loaded.manager
        // Restored before the first token is asked for, so that the task's first request does not
        // refresh a token the store still holds (and `run()` then does not restore again).
        manager.restore()
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: manager)]
        if let listen {
            let collector = self.loaded.collector
            collector.addSampleHook { manager.publishGauges() }
            services.append(.init(service: TelemetrySamplerService(collector: collector)))
            services.append(
                .init(
                    service: MetricsServer(collector: collector, address: listen, logger: self.logger) {
                        [logger] host, port in
                        logger.info("metrics listening", metadata: ["url": "http://\(host):\(port)/metrics"])
                    }
                )
            )
        }
        let (listening, announce) = AsyncStream<String>.makeStream()
        var socketDirectory: TokenFileLocation?
        if self.servesTokenSocket, task.tokenURL == nil {
            let location = try TokenFileLocation.make(
                explicitPath: nil, environment: task.environment, prefix: "oauthtop-socket", name: "token.sock"
            )
            socketDirectory = location
            services.append(.init(service: self.privateSocket(path: location.path, announce: announce)))
        } else {
            announce.finish()
        }
        defer { socketDirectory?.remove() }
        let (proxyListening, announceProxy) = AsyncStream<APIProxyService.Listening>.makeStream()
        let privateProxies = try ExecProxies.make(self.proxies, environment: task.environment)
        defer { privateProxies?.directory.remove() }
        for settings in privateProxies?.settings ?? [] {
            services.append(
                .init(
                    service: APIProxyService(
                        settings: settings, manager: manager, metricsFactory: self.loaded.collector, logger: self.logger,
                        onListening: { announceProxy.yield($0) }
                    )
                )
            )
        }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services, gracefulShutdownSignals: [], cancellationSignals: [], logger: self.logger
            )
        )
        let running = Task {
            defer {
                announce.finish()
                announceProxy.finish()
            }
            try await group.run()
        }
        var announced = listening.makeAsyncIterator()
        if let path = await announced.next() {
            task.tokenURL = ExecTask.tokenURL(socket: path, provider: task.provider)
        } else if socketDirectory != nil {
            self.logger.warning("the private token socket did not start; $OAUTHTOP_TOKEN_URL is not set")
        }
        if let privateProxies {
            var bound: [APIProxyService.Listening] = []
            for await listening in proxyListening {
                bound.append(listening)
                if bound.count == privateProxies.settings.count { break }
            }
            if bound.count < privateProxies.settings.count {
                self.logger.warning("not every API proxy started; their variables are not set")
            }
            task.environment.merge(ExecProxies.variables(bound, order: privateProxies.settings)) { _, new in new }
        }
        let result: Result<Int32, ExecError>
        do {
            result = .success(try await task.run())
        } catch {
            result = .failure(error)
        }
        await group.triggerGracefulShutdown()
        let grace = self.shutdownGrace
        let drained: @Sendable () async -> Bool = {
            _ = await running.result
            return true
        }
        let timedOut: @Sendable () async -> Bool = {
            try? await Task.sleep(for: grace)
            return false
        }
        let stopped = await firstOf([drained, timedOut])
        if !stopped {
            // The manager writes the store when it stops; it has not, so write it here.
            manager.persist()
            self.logger.info("services still stopping; not waiting longer", metadata: ["grace": "\(grace)"])
        }
        return try result.get()
    }

    /// The command's private token socket at `path`, announcing its path once it accepts connections.
    private func privateSocket(path: String, announce: AsyncStream<String>.Continuation) -> TokenSocketServer {
        let handler = TokenSocketHandler(
            manager: self.loaded.manager,
            socketPath: path,
            metrics: TokenRequestMetrics(
                consumer: "socket", providers: self.loaded.manager.providers.map(\.name), factory: self.loaded.collector
            )
        )
        return TokenSocketServer(
            configuration: TokenSocketConfiguration(path: path), handler: handler, logger: self.logger,
            onListening: { listening in announce.yield(listening.path) }
        )
    }
}
