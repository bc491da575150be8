import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// One connection to a Redis server: one channel, commands pipelined in order.
///
/// ``connect(configuration:eventLoop:logger:)`` opens the socket (and TLS), sends `AUTH` when a password
/// is configured and `SELECT` when the database is not 0 (or `PING` when neither is needed, so a broken
/// server or TLS handshake shows at connect time). Commands may be sent from any number of tasks at
/// once: they are written as they come and their replies matched in order.
///
/// A command that gets no reply within the configured command timeout fails, and the connection closes
/// with it: the server's replies that follow could no longer be matched. Callers that need a working
/// connection again use ``RedisClient``, which replaces broken connections.
public final class RedisConnection: Sendable {
    /// The channel; closed by ``close()`` or by the server.
    let channel: any Channel
    private let commandTimeout: Duration
    private let failure: ConnectionFailure

    private init(channel: any Channel, commandTimeout: Duration, failure: ConnectionFailure) {
        self.channel = channel
        self.commandTimeout = commandTimeout
        self.failure = failure
    }

    /// Opens a connection and authenticates.
    ///
    /// - Parameters:
    ///   - configuration: Address, credentials, database, TLS and timeouts (pool and backoff settings are
    ///     not used here).
    ///   - eventLoop: The event loop the channel runs on.
    ///   - logger: Receives a `debug` line when the connection is up; never arguments or values.
    /// - Returns: A connection that has authenticated and selected its database.
    /// - Throws: ``RedisError`` (refused, timed out, TLS failed, `AUTH` or `SELECT` rejected).
    public static func connect(
        configuration: RedisConfiguration,
        eventLoop: any EventLoop,
        logger: Logger
    ) async throws -> RedisConnection {
        try await self.connect(configuration: configuration, eventLoop: eventLoop, logger: logger, pushes: nil)
    }

    /// Opens a connection whose unsolicited values (pub/sub messages) go to `pushes`, on the event loop.
    static func connect(
        configuration: RedisConfiguration,
        eventLoop: any EventLoop,
        logger: Logger,
        pushes: (@Sendable (RESPValue) -> Void)?
    ) async throws -> RedisConnection {
        let endpoint = configuration.endpointDescription
        let sslContext: NIOSSLContext?
        // SNI carries names only; for an address NIOSSL checks the certificate against the peer's address.
        let serverName = configuration.tls.serverName ?? (configuration.host.isIPAddress ? nil : configuration.host)
        if configuration.tls.isEnabled {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.minimumTLSVersion = .tlsv12
            if let caFile = configuration.tls.caFile { tls.trustRoots = .file(caFile) }
            do {
                sslContext = try NIOSSLContext(configuration: tls)
            } catch {
                throw RedisError.tls(
                    "cannot load the TLS configuration (CA file \(configuration.tls.caFile ?? "system")): \(error)")
            }
        } else {
            sslContext = nil
        }

        let failure = ConnectionFailure()
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(.nanoseconds(configuration.connectTimeout.nanoseconds))
            .channelOption(ChannelOptions.socketOption(.so_keepalive), value: 1)
            .channelOption(ChannelOptions.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        let handler = try NIOSSLClientHandler(context: sslContext, serverHostname: serverName)
                        try channel.pipeline.syncOperations.addHandler(handler)
                    }
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(RESPDecoder()))
                    try channel.pipeline.syncOperations.addHandler(RedisCommandHandler(pushes: pushes, record: failure))
                }
            }

        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: configuration.host, port: configuration.port).get()
        } catch ChannelError.connectTimeout {
            throw RedisError.connectTimeout(endpoint, after: configuration.connectTimeout)
        } catch {
            throw RedisError.connect(endpoint, reason: Self.describe(error))
        }

        let connection = RedisConnection(
            channel: channel, commandTimeout: configuration.commandTimeout, failure: failure)
        do {
            try await connection.handshake(configuration)
        } catch {
            await connection.close()
            if let redis = error as? RedisError, redis.isServerError || redis.shortCode == "tls" { throw redis }
            if let redis = error as? RedisError, redis.isTimeout {
                throw RedisError.connectTimeout(endpoint, after: configuration.connectTimeout)
            }
            throw RedisError.connect(endpoint, reason: String(describing: error))
        }
        logger.debug(
            "Redis connection open",
            metadata: ["redis.endpoint": "\(endpoint)", "redis.tls": "\(configuration.tls.isEnabled)"]
        )
        return connection
    }

    /// `AUTH` and `SELECT` (or `PING`), each bounded by the connect timeout.
    private func handshake(_ configuration: RedisConfiguration) async throws {
        var sent = false
        if let password = configuration.password {
            var arguments: [RESPArgument] = ["AUTH"]
            if let username = configuration.username { arguments.append(RESPArgument(username)) }
            arguments.append(RESPArgument(password.revealed))
            _ = try await self.send(arguments, timeout: configuration.connectTimeout)
            sent = true
        }
        if configuration.database != 0 {
            _ = try await self.send(
                ["SELECT", RESPArgument(configuration.database)], timeout: configuration.connectTimeout)
            sent = true
        }
        if !sent {
            _ = try await self.send(["PING"], timeout: configuration.connectTimeout)
        }
    }

    /// Whether the channel is still open.
    public var isActive: Bool { self.channel.isActive }

    /// Completes when the channel has closed, for whatever reason.
    public var closeFuture: EventLoopFuture<Void> { self.channel.closeFuture }

    /// Sends one command and waits for its reply.
    ///
    /// - Parameter arguments: The command's name and arguments.
    /// - Returns: The reply; never `.error` (an error reply is thrown).
    /// - Throws: ``RedisError``: the server's error reply (naming the command), a timeout, or a broken
    ///   connection.
    public func send(_ arguments: [RESPArgument]) async throws -> RESPValue {
        try await self.send(arguments, timeout: self.commandTimeout)
    }

    func send(_ arguments: [RESPArgument], timeout: Duration) async throws -> RESPValue {
        let name = Self.commandName(arguments)
        let reply = self.channel.eventLoop.makePromise(of: RESPValue.self)
        // A write to a channel that closed already never reaches the handler, so its failure fails the
        // reply here (a reply completed twice keeps its first result).
        let written = self.channel.eventLoop.makePromise(of: Void.self)
        let failure = self.failure
        written.futureResult.whenFailure { error in
            reply.fail(failure.error ?? RedisError.connectionClosed(command: name, reason: String(describing: error)))
        }
        self.channel.writeAndFlush(
            RedisRequest(arguments: arguments, name: name, reply: reply, timeout: timeout), promise: written)
        let value = try await reply.futureResult.get()
        if case .error(let message) = value { throw RedisError.server(command: name, message: message) }
        return value
    }

    /// Writes a command whose replies arrive as pushes (`SUBSCRIBE`, `UNSUBSCRIBE`).
    func sendWithoutReply(_ arguments: [RESPArgument]) async throws {
        let name = Self.commandName(arguments)
        try await self.channel.writeAndFlush(RedisRequest(arguments: arguments, name: name, reply: nil, timeout: nil))
    }

    /// Sends `PING` and checks the answer is `PONG`.
    ///
    /// - Throws: ``RedisError`` when the server does not answer `PONG` in time.
    public func ping() async throws {
        let reply = try await self.send(["PING"])
        guard reply.string == "PONG" else {
            throw RedisError.unexpectedReply(command: "PING", got: reply, expected: "PONG")
        }
    }

    /// Closes the channel; waiting commands fail. Returns once it is closed.
    public func close() async {
        self.channel.close(mode: .all, promise: nil)
        try? await self.channel.closeFuture.get()
    }

    /// The first argument, upper-cased, for errors: at most 32 ASCII letters, digits or
    /// underscores, so a caller who put something else first never sees it in a message.
    static func commandName(_ arguments: [RESPArgument]) -> String {
        guard let first = arguments.first else { return "(empty)" }
        let bytes = first.bytes.readableBytesView
        let allowed =
            bytes.count <= 32
            && bytes.allSatisfy {
                ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F
            }
        return allowed ? String(decoding: bytes, as: UTF8.self).uppercased() : "(command)"
    }

    private static func describe(_ error: any Error) -> String {
        if let error = error as? NIOConnectionError, let first = error.connectionErrors.first {
            return String(describing: first.error)
        }
        return String(describing: error)
    }
}

extension RedisConfiguration {
    /// `host:port` (`[::1]:6379` for IPv6), with `tls` when it is on: for logs and errors.
    var endpointDescription: String {
        let host = self.host.contains(":") ? "[\(self.host)]" : self.host
        return "\(host):\(self.port)\(self.tls.isEnabled ? " (tls)" : "")"
    }
}

extension String {
    /// Whether the string is an IPv4 or IPv6 address literal.
    fileprivate var isIPAddress: Bool {
        (try? SocketAddress(ipAddress: self, port: 0)) != nil
    }
}
