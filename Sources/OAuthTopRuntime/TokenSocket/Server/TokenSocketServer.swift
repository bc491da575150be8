import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle

/// The daemon's local token socket, as a swift-service-lifecycle `Service`: HTTP over a Unix domain
/// socket (mode and group as configured, peers checked with `SO_PEERCRED`), and optionally a
/// 127.0.0.1 TCP listener that requires the per-run bearer secret written to a 0600 file.
///
/// Endpoints: `GET /v1/token/{provider}`, `GET /v1/status`, `POST /v1/refresh[/{provider}]`
/// (``TokenSocketHandler``), and Prometheus's `/api/v1/query`, `/api/v1/query_range`, `/api/v1/alerts` when the
/// handler has a ``PrometheusAPIEndpoint``. Other features add their own endpoints through `routes`; they run
/// behind the same access check and see the peer in ``TokenSocketRequestContext/peer``.
///
/// ```swift
/// let handler = TokenSocketHandler(manager: manager, socketPath: path, metrics: metrics)
/// let configuration = TokenSocketConfiguration(path: path)
/// let server = TokenSocketServer(configuration: configuration, handler: handler, logger: logger)
/// let group = ServiceGroup(services: [manager, server], logger: logger)
/// ```
public struct TokenSocketServer: Service {
    /// Where the socket listens, reported once it does.
    public struct Listening: Sendable {
        /// The Unix socket's path.
        public var path: String
        /// `http://127.0.0.1:PORT` of the TCP listener, if any.
        public var tcpURL: String?
        /// The TCP listener's secret file, if any.
        public var secretFile: String?
    }

    public let configuration: TokenSocketConfiguration
    public let handler: TokenSocketHandler
    private let routes: @Sendable (Router<TokenSocketRequestContext>) -> Void
    private let logger: Logger
    private let onListening: @Sendable (Listening) async -> Void

    /// Creates the server; nothing is bound until ``run()``.
    ///
    /// - Parameters:
    ///   - configuration: Path, mode, group, TCP listener.
    ///   - handler: Answers the socket's endpoints.
    ///   - logger: The HTTP servers' logger (requests and tokens are never logged).
    ///   - routes: Adds further endpoints to each listener's router.
    ///   - onListening: Called once every listener is bound, with where.
    public init(
        configuration: TokenSocketConfiguration,
        handler: TokenSocketHandler,
        logger: Logger,
        routes: @escaping @Sendable (Router<TokenSocketRequestContext>) -> Void = { _ in },
        onListening: @escaping @Sendable (Listening) async -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.handler = handler
        self.logger = Logger(label: logger.label) { _ in DeferredMetadataLogHandler(wrapping: logger) }
        self.routes = routes
        self.onListening = onListening
    }

    /// Serves until graceful shutdown or cancellation, then removes the socket and secret files.
    ///
    /// - Throws: ``TokenSocketError`` when the directory, socket or secret file cannot be set up
    ///   (another daemon serves the path, say), or the server's error when binding fails.
    public func run() async throws {
        let configuration = self.configuration
        try SocketFiles.prepare(configuration)
        let secret = configuration.tcp == nil ? nil : BearerSecret()
        if let secret {
            do {
                try secret.write(to: configuration.secretFile)
            } catch {
                throw TokenSocketError.secretFile(configuration.secretFile, "\(error)")
            }
        }
        defer {
            SocketFiles.remove(configuration.path)
            if secret != nil { try? FileManager.default.removeItem(atPath: configuration.secretFile) }
        }
        let bound = BoundListeners(expected: secret == nil ? 1 : 2)
        let report: @Sendable (Listening) async -> Void = self.onListening
        let unixAdmission = TokenSocketMiddleware.Admission.unix(PeerAccessPolicy(groupID: configuration.groupID))
        let unix = Application(
            router: self.router(unixAdmission),
            server: self.server(unixAdmission),
            configuration: ApplicationConfiguration(address: .unixDomainSocket(path: configuration.path)),
            onServerRunning: { _ in
                do {
                    try SocketFiles.applyPermissions(configuration)
                } catch {
                    self.logger.error("token socket permissions not set", metadata: ["error": "\(error)"])
                }
                if let listening = bound.bind(unix: configuration.path, secretFile: configuration.secretFile) {
                    await report(listening)
                }
            },
            logger: self.logger
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await unix.run() }
            if let secret, let tcp = configuration.tcp {
                let application = Application(
                    router: self.router(.tcp(secret)),
                    server: self.server(.tcp(secret)),
                    configuration: ApplicationConfiguration(address: .hostname(tcp.host, port: tcp.port)),
                    onServerRunning: { channel in
                        let host = tcp.host.contains(":") ? "[\(tcp.host)]" : tcp.host
                        let url = "http://\(host):\(channel.localAddress?.port ?? tcp.port)"
                        if let listening = bound.bind(tcpURL: url) { await report(listening) }
                    },
                    logger: self.logger
                )
                group.addTask { try await application.run() }
            }
            try await group.waitForAll()
        }
    }

    /// HTTP/1.1 with the event-loop fast path for token requests (``TokenFastPathHandler``) in front of
    /// the HTTP parser.
    private func server(_ admission: TokenSocketMiddleware.Admission) -> HTTPServerBuilder {
        let handler = self.handler
        return HTTPServerBuilder { responder in
            TokenSocketChannel(http1: HTTP1Channel(responder: responder)) {
                TokenFastPathHandler(admission: admission, handler: handler)
            }
        }
    }

    private func router(_ admission: TokenSocketMiddleware.Admission) -> Router<TokenSocketRequestContext> {
        let router = Router(context: TokenSocketRequestContext.self)
        router.add(
            middleware: TokenSocketMiddleware(
                admission: admission, handler: self.handler, maxBodyBytes: self.configuration.maxBodyBytes
            )
        )
        self.routes(router)
        return router
    }
}
