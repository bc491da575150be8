import Hummingbird
import JWTKit
import Logging
import ServiceLifecycle
import Synchronization

/// Runs one endpoint's Hummingbird server, closing it while an outage's window is open.
///
/// An outage must refuse connections, not answer 5xx, so the listener itself goes away: the server
/// task is cancelled (closing the listening socket and every open connection) and a new server binds
/// the same port, with `SO_REUSEADDR`, when the window ends. The schedule is watched with the
/// provider's clock; injected faults are noticed within ``pollInterval``.
struct EndpointListener: Sendable {
    let provider: DemoIdentityProvider
    let spec: DemoEndpointSpec
    let keys: JWTKeyCollection

    /// How long to wait before retrying to reopen a listener whose port is briefly busy.
    static let pollInterval: Duration = .milliseconds(20)
    /// How long in-flight requests may finish after the listener closed, before they are cancelled.
    static let maximumDrainDuration: Duration = .seconds(1)

    private enum ServeEnd: Sendable {
        case outageBegan
        case serverFinished((any Error)?)
    }

    private var logger: Logger {
        var logger = self.provider.logger
        logger[metadataKey: "endpoint"] = "\(self.spec.name)"
        return logger
    }

    func run() async throws {
        var port = self.spec.port
        var hasBound = false
        var closedForOutage = false
        while !Task.isCancelled {
            // Every endpoint binds once before honouring an outage, so that its port is known (and kept).
            if hasBound {
                let (active, nextChange) = self.outage()
                if active {
                    if !closedForOutage {
                        self.logger.info(
                            "outage: listener closed, connections are refused",
                            metadata: ["port": "\(port)"]
                        )
                        closedForOutage = true
                    }
                    try? await self.sleepUntilNextLook(nextChange)
                    continue
                }
            }
            if closedForOutage {
                self.logger.info("outage over: reopening the listener", metadata: ["port": "\(port)"])
                closedForOutage = false
            }
            let boundPort = BoundPort()
            let end = await self.serve(port: port, boundPort: boundPort)
            if let bound = boundPort.value {
                port = bound
                hasBound = true
            }
            switch end {
            case .outageBegan:
                continue
            case .serverFinished(let error):
                if Task.isCancelled { return }
                guard let error else {
                    // The server stopped on its own (a graceful shutdown reached it): so do we.
                    return
                }
                if boundPort.value == nil && !hasBound {
                    throw DemoIdentityProviderError.bindFailed(
                        "endpoint '\(self.spec.name)': cannot listen on "
                            + "\(self.provider.configuration.host):\(port): \(error)"
                    )
                }
                // Reopening after an outage failed (the port is briefly busy): try again shortly.
                self.logger.info("reopening the listener failed; retrying", metadata: ["error": "\(error)"])
                try? await self.provider.clock.sleep(for: Self.pollInterval)
            }
        }
    }

    private func outage() -> (active: Bool, nextChange: Duration?) {
        let now = self.provider.elapsed()
        return self.provider.state.withLock { $0.outage(endpoint: self.spec.name, at: now) }
    }

    /// Sleeps until the schedule's next change or an injected fault, whichever comes first.
    private func sleepUntilNextLook(_ nextChange: Duration?) async throws {
        let provider = self.provider
        let now = provider.elapsed()
        try await withThrowingTaskGroup(of: Void.self) { group in
            if let nextChange {
                group.addTask { try await provider.clock.sleep(for: max(.zero, nextChange - now)) }
            }
            group.addTask { await provider.scheduleChanges.wait() }
            _ = try await group.next()
            group.cancelAll()
        }
        try Task.checkCancellation()
    }

    /// Serves until an outage begins (after the server has bound) or the server finishes.
    private func serve(port: Int, boundPort: BoundPort) async -> ServeEnd {
        let name = self.spec.name
        let provider = self.provider
        let endpoint = TokenEndpoint(provider: self.provider, keys: self.keys, endpoint: name, logger: self.logger)
        let resource = ProtectedResource(provider: self.provider, keys: self.keys, logger: self.logger)
        let resourcePath = provider.configuration.resourcePath
        let discovery = DiscoveryEndpoints(provider: self.provider, keys: self.keys, endpoint: name, logger: self.logger)
        let api = DemoAPI(provider: self.provider, keys: self.keys, endpoint: name, logger: self.logger)
        let apiPrefix = provider.configuration.api.pathPrefix
        let responder = CallbackResponder<DemoRequestContext> { request, context in
            if request.uri.path == resourcePath { return await resource.respond(to: request) }
            if DemoAPI.serves(request.uri.path, prefix: apiPrefix) { return await api.respond(to: request) }
            if let answer = await discovery.respond(to: request) { return answer }
            let channel = context.channel
            return try await endpoint.respond(to: request) { channel.close(promise: nil) }
        }
        var serverLogger = self.logger
        // Hummingbird logs its own start at info; keep it quieter than the provider's lines.
        serverLogger.logLevel = max(serverLogger.logLevel, .notice)
        let app = Application(
            responder: responder,
            configuration: ApplicationConfiguration(
                address: .hostname(provider.configuration.host, port: port),
                serverName: "oauthtop-demo-idp",
                reuseAddress: true
            ),
            onServerRunning: { channel in
                let actual = channel.localAddress?.port ?? port
                boundPort.value = actual
                provider.state.withLock { $0.ports[name] = actual }
            },
            logger: serverLogger
        )
        // The server runs in its own ServiceGroup, in a task our cancellation does not reach directly:
        // it is always stopped by a graceful shutdown, which closes the listening socket first and then
        // lets accepted connections drain. Cancelling a Hummingbird server while connections are being
        // accepted drops them unconsumed, which NIO treats as a programming error (a crash).
        var groupConfiguration = ServiceGroupConfiguration(
            services: [ServiceGroupConfiguration.ServiceConfiguration(service: app)],
            logger: serverLogger
        )
        groupConfiguration.maximumGracefulShutdownDuration = Self.maximumDrainDuration
        let serviceGroup = ServiceGroup(configuration: groupConfiguration)
        let server = Task { () -> (any Error)? in
            do {
                try await serviceGroup.run()
                return nil
            } catch {
                return error
            }
        }
        return await withTaskGroup(of: ServeEnd.self) { group in
            group.addTask {
                let error = await withTaskCancellationHandler {
                    await server.value
                } onCancel: {
                    Task { await serviceGroup.triggerGracefulShutdown() }
                }
                return .serverFinished(error)
            }
            group.addTask {
                while !Task.isCancelled {
                    let (active, nextChange) = self.outage()
                    if active, boundPort.value != nil {
                        return .outageBegan
                    }
                    do {
                        if active {
                            // The outage is due but the server is still binding: look again shortly.
                            try await self.provider.clock.sleep(for: Self.pollInterval)
                        } else {
                            try await self.sleepUntilNextLook(nextChange)
                        }
                    } catch {
                        break
                    }
                }
                return .serverFinished(nil)
            }
            let first = await group.next() ?? .serverFinished(nil)
            await serviceGroup.triggerGracefulShutdown()
            group.cancelAll()
            // Waits until the server has stopped, so the port is free to bind again.
            while await group.next() != nil {}
            return first
        }
    }
}

/// The port one server instance bound, set from Hummingbird's `onServerRunning`.
private final class BoundPort: Sendable {
    private let port = Mutex<Int?>(nil)

    var value: Int? {
        get { self.port.withLock { $0 } }
        set { self.port.withLock { $0 = newValue } }
    }
}
