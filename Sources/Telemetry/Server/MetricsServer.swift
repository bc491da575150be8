import Hummingbird
import Logging
import ServiceLifecycle

/// The `/metrics` HTTP listener, as a swift-service-lifecycle `Service`.
///
/// It binds ``ListenAddress`` (default `127.0.0.1:9464`; port 0 picks a free port), serves
/// ``makeMetricsRouter(collector:)``, reports the bound address through `onListening`, and stops on
/// graceful shutdown or cancellation.
public struct MetricsServer: Service {
    private let collector: TelemetryCollector
    private let address: ListenAddress
    private let logger: Logger
    private let onListening: @Sendable (_ host: String, _ port: Int) async -> Void

    /// Creates the listener; nothing is bound until ``run()``.
    ///
    /// - Parameters:
    ///   - collector: The collector to expose.
    ///   - address: Where to listen.
    ///   - logger: The logger of the HTTP server.
    ///   - onListening: Called once the socket is bound, with the bound host and port (the real port when
    ///     `address.port` is 0).
    public init(
        collector: TelemetryCollector,
        address: ListenAddress = .defaultMetrics,
        logger: Logger = Logger(label: "oauthtop.telemetry.metrics"),
        onListening: @escaping @Sendable (_ host: String, _ port: Int) async -> Void = { _, _ in }
    ) {
        self.collector = collector
        self.address = address
        self.logger = logger
        self.onListening = onListening
    }

    /// Serves `/metrics` until graceful shutdown or cancellation.
    ///
    /// - Throws: The server's error when the address cannot be bound.
    public func run() async throws {
        let address = self.address
        let onListening = self.onListening
        let application = Application(
            router: makeMetricsRouter(collector: self.collector),
            configuration: ApplicationConfiguration(address: .hostname(address.host, port: address.port)),
            onServerRunning: { channel in
                let bound = channel.localAddress
                await onListening(bound?.ipAddress ?? address.host, bound?.port ?? address.port)
            },
            logger: self.logger
        )
        try await application.run()
    }
}
