import CoreMetrics
import Foundation
import HummingbirdCore
import Logging
import NIOCore
import NIOPosix
import OAuthTopConfig
import Primitives
import ServiceLifecycle
import Telemetry
import TokenManager

/// One authenticating API proxy (`docs/proxy.md`), as a swift-service-lifecycle `Service`: a local listener
/// (a 0600 Unix socket whose peers are checked with `SO_PEERCRED`, or a loopback TCP port that requires a
/// per-run bearer secret written to a 0600 file) that forwards each request to the configured upstream with
/// the provider's token attached (``ProxyPipeline``).
///
/// ```swift
/// let proxy = APIProxyService(settings: settings, manager: manager, metricsFactory: collector, logger: logger)
/// let group = ServiceGroup(services: [manager, proxy], logger: logger)
/// ```
public struct APIProxyService: Service {
    /// Where a proxy listens, reported once it does.
    public struct Listening: Sendable, Hashable {
        /// The proxy's name.
        public var name: String
        /// `http://127.0.0.1:PORT` for TCP, `unix:PATH` for a Unix socket.
        public var url: String
        /// The Unix socket's path, if it is one.
        public var socketPath: String?
        /// The TCP listener's secret file, if it is one.
        public var secretFile: String?
    }

    public let settings: ProxySettings
    /// Where the TCP listener's secret goes (resolved: ``ProxySettings/secretFile`` or the default).
    public let secretFile: String
    private let manager: OAuthTokenManager
    private let metrics: ProxyMetrics
    private let hooks: any ProxyHooks
    private let clock: WallClock
    private let logger: Logger
    private let onListening: @Sendable (Listening) async -> Void

    /// Creates the service; nothing is bound until ``run()``.
    ///
    /// - Parameters:
    ///   - settings: The `proxies:` entry.
    ///   - secretFile: Where a TCP listener's secret is written; `nil`: ``ProxySettings/secretFile``, else
    ///     `proxy-NAME.secret` in `defaultDirectory`.
    ///   - defaultDirectory: The directory of the default secret file (the token socket's).
    ///   - manager: Gives the provider's tokens, refreshes after an auth error, publishes the events.
    ///   - metricsFactory: Where the `oauth_proxy_*` metrics go.
    ///   - hooks: The quota seam (``ProxyHooks``); by default ``QuotaHooks`` over the settings' `quota` and
    ///     `cache` (docs/proxy-quota.md).
    ///   - onListening: Called once the listener is bound.
    public init(
        settings: ProxySettings,
        secretFile: String? = nil,
        defaultDirectory: String = NSTemporaryDirectory(),
        manager: OAuthTokenManager,
        metricsFactory: any MetricsFactory,
        hooks: (any ProxyHooks)? = nil,
        clock: WallClock = .system,
        logger: Logger,
        onListening: @escaping @Sendable (Listening) async -> Void = { _ in }
    ) {
        self.settings = settings
        self.secretFile = secretFile ?? settings.secretFile
            ?? (defaultDirectory as NSString).appendingPathComponent("proxy-\(settings.name).secret")
        self.manager = manager
        self.metrics = ProxyMetrics(proxy: settings.name, factory: metricsFactory)
        self.hooks = hooks
            ?? QuotaHooks(
                QuotaGuard(
                    settings: settings, factory: metricsFactory, logger: logger,
                    publish: { [manager] in manager.publish($0) }
                ),
                clock: clock
            )
        self.clock = clock
        self.logger = Logger(label: logger.label) { _ in DeferredMetadataLogHandler(wrapping: logger) }
        self.onListening = onListening
    }

    /// Serves until graceful shutdown or cancellation, then removes the socket or secret file and closes the
    /// upstream connections.
    ///
    /// - Throws: ``ProxyError`` when the provider is unknown, the CA file cannot be read, or the socket or
    ///   secret file cannot be set up; the server's error when binding fails.
    public func run() async throws {
        let settings = self.settings
        guard let provider = self.manager.provider(named: settings.provider) else {
            throw ProxyError.unknownProvider(proxy: settings.name, provider: settings.provider)
        }
        let pool = UpstreamPool(
            endpoint: try UpstreamEndpoint(settings), maxConnections: settings.maxConnections,
            connectTimeout: settings.connectTimeout, readTimeout: settings.readTimeout
        )
        let pipeline = ProxyPipeline(
            settings: settings, pool: pool, manager: self.manager, provider: provider, metrics: self.metrics,
            hooks: self.hooks, clock: self.clock, logger: self.logger
        )
        do {
            // Requests waiting for an upstream connection end when the shutdown begins (503), not after the
            // requests in flight, which the server lets finish.
            try await withGracefulShutdownHandler {
                try await self.serve(pipeline)
            } onGracefulShutdown: {
                pool.stop()
            }
        } catch {
            await pool.shutdown()
            throw error
        }
        await pool.shutdown()
    }

    private func serve(_ pipeline: ProxyPipeline) async throws {
        let settings = self.settings
        let report = self.onListening
        let refusal = ProxyErrorAnswer.make(
            status: 405, error: "method_not_allowed", description: "CONNECT is refused: this is not a forward proxy",
            proxy: settings.name
        )
        let body = String(buffer: refusal.body)
        let metrics = self.metrics
        let guarding: @Sendable () -> ProxyConnectionGuard = {
            ProxyConnectionGuard(connectRefusal: body) { metrics.response(status: 405) }
        }
        switch settings.listen {
        case .unix(let path):
            let files = TokenSocketConfiguration(path: path, mode: 0o600)
            do {
                try SocketFiles.prepare(files)
            } catch {
                throw ProxyError.listener(proxy: settings.name, "\(error)")
            }
            defer { SocketFiles.remove(path) }
            let channel = ProxyChannel(pipeline: pipeline, admission: .unix(PeerAccessPolicy()), connectionGuard: guarding)
            let server = channel.server(
                configuration: ServerConfiguration(address: .unixDomainSocket(path: path)),
                onServerRunning: { _ in
                    do {
                        try SocketFiles.applyPermissions(files)
                    } catch {
                        self.logger.error("proxy socket permissions not set", metadata: ["error": "\(error)"])
                    }
                    await report(Listening(name: settings.name, url: "unix:\(path)", socketPath: path))
                },
                eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: self.logger
            )
            try await server.run()
        case .tcp(let text):
            let address: ListenAddress
            do {
                address = try ListenAddress(parsing: text)
            } catch {
                throw ProxyError.listener(proxy: settings.name, "'\(text)' is not HOST:PORT: \(error)")
            }
            let secret = BearerSecret()
            let secretFile = self.secretFile
            do {
                // The default directory is the token socket's, which its service may not have made yet.
                let directory = (secretFile as NSString).deletingLastPathComponent
                if !FileManager.default.fileExists(atPath: directory) {
                    try FileManager.default.createDirectory(
                        atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700]
                    )
                }
                try secret.write(to: secretFile)
            } catch {
                throw ProxyError.listener(proxy: settings.name, "cannot write the secret file \(secretFile): \(error)")
            }
            defer { try? FileManager.default.removeItem(atPath: secretFile) }
            let channel = ProxyChannel(pipeline: pipeline, admission: .tcp(secret), connectionGuard: guarding)
            let server = channel.server(
                configuration: ServerConfiguration(address: .hostname(address.host, port: address.port)),
                onServerRunning: { channel in
                    let host = address.host.contains(":") ? "[\(address.host)]" : address.host
                    let url = "http://\(host):\(channel.localAddress?.port ?? address.port)"
                    await report(Listening(name: settings.name, url: url, secretFile: secretFile))
                },
                eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: self.logger
            )
            try await server.run()
        }
    }
}

/// Why a proxy could not start.
public struct ProxyError: Error, Sendable, CustomStringConvertible {
    public let description: String

    static func unknownProvider(proxy: String, provider: String) -> ProxyError {
        ProxyError(description: "proxy '\(proxy)': no provider named '\(provider)'")
    }

    static func listener(proxy: String, _ why: String) -> ProxyError {
        ProxyError(description: "proxy '\(proxy)': \(why)")
    }

    static func caFile(proxy: String, path: String) -> ProxyError {
        ProxyError(description: "proxy '\(proxy)': ca_file \(path) cannot be read")
    }
}
