import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// A proxy's keep-alive connections to its upstream: at most `max_connections` open, idle ones kept per
/// event loop so that a request is sent from the loop that serves its client (no thread switch), each
/// connection carrying one exchange at a time.
///
/// A request that finds every connection busy and the limit reached waits for the next one released, in
/// arrival order.
final class UpstreamPool: Sendable {
    let endpoint: UpstreamEndpoint
    private let maxConnections: Int
    private let connectTimeout: TimeAmount
    private let readTimeout: TimeAmount

    private struct State {
        /// Idle connections by event loop.
        var idle: [ObjectIdentifier: [UpstreamConnection]] = [:]
        /// Open connections (idle, leased, being made).
        var open = 0
        var waiters: [Waiter] = []
        var stopped = false
    }

    private let state = Mutex(State())

    /// A request waiting for a connection: given one released, or one made for it, or why none could be.
    private struct Waiter {
        let eventLoop: ObjectIdentifier
        let continuation: CheckedContinuation<Result<UpstreamConnection, UpstreamError>, Never>

        func resume(returning result: Result<UpstreamConnection, UpstreamError>) {
            self.continuation.resume(returning: result)
        }
    }

    init(endpoint: UpstreamEndpoint, maxConnections: Int, connectTimeout: Duration, readTimeout: Duration) {
        self.endpoint = endpoint
        self.maxConnections = max(1, maxConnections)
        self.connectTimeout = .nanoseconds(connectTimeout.nanoseconds)
        self.readTimeout = .nanoseconds(readTimeout.nanoseconds)
    }

    /// What a lease gives: a connection, and whether it was used before (a request that finds such a
    /// connection closed by the upstream before any answer may be sent again on a new one).
    struct Lease {
        let connection: UpstreamConnection
        let reused: Bool
    }

    private enum Decision {
        case use(UpstreamConnection)
        case connect
        case wait
        case stopped
    }

    /// An idle connection on `eventLoop`, else a new one there (below the limit), else another loop's idle one,
    /// else the next one released.
    ///
    /// - Parameter fresh: Make a new connection (the retry of a request a reused one dropped).
    /// - Throws: ``UpstreamError`` when a new connection cannot be made, or the pool is stopping.
    func lease(on eventLoop: any EventLoop, fresh: Bool = false) async throws(UpstreamError) -> Lease {
        let key = ObjectIdentifier(eventLoop)
        let decision = self.state.withLock { state -> Decision in
            if state.stopped { return .stopped }
            if !fresh, let connection = state.idle[key]?.popLast() { return .use(connection) }
            // A new connection on this loop rather than another loop's idle one: borrowing it would cost a
            // thread switch on every write and read of this exchange, and of every later one that borrows it.
            if state.open < self.maxConnections {
                state.open += 1
                return .connect
            }
            if !fresh {
                for other in state.idle.keys {
                    if let connection = state.idle[other]?.popLast() { return .use(connection) }
                }
            }
            return .wait
        }
        switch decision {
        case .use(let connection):
            return Lease(connection: connection, reused: true)
        case .stopped:
            throw .shutdown
        case .connect:
            do {
                return Lease(connection: try await self.connect(on: eventLoop), reused: false)
            } catch {
                self.state.withLock { $0.open -= 1 }
                self.handOnSlot()
                throw error
            }
        case .wait:
            let handed = await withCheckedContinuation { continuation in
                let stopped = self.state.withLock { state -> Bool in
                    if state.stopped { return true }
                    state.waiters.append(Waiter(eventLoop: key, continuation: continuation))
                    return false
                }
                if stopped { continuation.resume(returning: .failure(.shutdown)) }
            }
            return Lease(connection: try handed.get(), reused: true)
        }
    }

    /// Makes a connection on `eventLoop`: TCP (no Nagle), TLS for https, HTTP/1.1, the read timeout.
    private func connect(on eventLoop: any EventLoop) async throws(UpstreamError) -> UpstreamConnection {
        let endpoint = self.endpoint
        let readTimeout = self.readTimeout
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(self.connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                do {
                    let sync = channel.pipeline.syncOperations
                    if let tls = endpoint.tls {
                        try sync.addHandler(NIOSSLClientHandler(context: tls, serverHostname: endpoint.serverHostname))
                    }
                    try sync.addHTTPClientHandlers()
                    try sync.addHandler(IdleStateHandler(readTimeout: readTimeout))
                    try sync.addHandler(UpstreamExchangeHandler())
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: endpoint.host, port: endpoint.port).get()
        } catch let error as ChannelError where error == .connectTimeout(self.connectTimeout) {
            throw .connectTimeout
        } catch {
            throw .connectFailed(Self.describe(error))
        }
        do {
            let connection = try await channel.eventLoop.submit { () throws -> UpstreamConnection in
                let handler = try channel.pipeline.syncOperations.handler(type: UpstreamExchangeHandler.self)
                let connection = UpstreamConnection(channel: channel, handler: handler)
                handler.onClosed = { [weak self] in self?.closed(connection) }
                return connection
            }.get()
            return connection
        } catch {
            channel.close(promise: nil)
            throw .connectFailed(Self.describe(error))
        }
    }

    /// A reason for a failed connection, without anything secret (there is nothing secret in one).
    private static func describe(_ error: any Error) -> String {
        if let error = error as? IOError { return error.description }
        if let error = error as? NIOConnectionError {
            return error.connectionErrors.first.map { "\($0.error)" } ?? "no address to connect to"
        }
        return "\(error)"
    }

    /// Takes back a connection after an exchange that left it reusable (called on its event loop).
    func release(_ connection: UpstreamConnection) {
        enum Next {
            case waiter(Waiter)
            case pooled
            case close
        }
        let next = self.state.withLock { state -> Next in
            if state.stopped { return .close }
            let key = ObjectIdentifier(connection.channel.eventLoop)
            // A waiter on the connection's own loop first (no thread switch for its exchange), else the longest.
            if let index = state.waiters.firstIndex(where: { $0.eventLoop == key }) ?? state.waiters.indices.first {
                return .waiter(state.waiters.remove(at: index))
            }
            state.idle[key, default: []].append(connection)
            return .pooled
        }
        switch next {
        case .waiter(let waiter): waiter.resume(returning: .success(connection))
        case .pooled: break
        case .close: connection.channel.close(promise: nil)
        }
    }

    /// A connection closed: its slot is free.
    private func closed(_ connection: UpstreamConnection) {
        self.state.withLock { state in
            state.open -= 1
            let key = ObjectIdentifier(connection.channel.eventLoop)
            state.idle[key]?.removeAll { $0 === connection }
        }
        self.handOnSlot()
    }

    /// A free slot goes to the first waiter: a connection is made for it.
    private func handOnSlot() {
        let waiter = self.state.withLock { state -> Waiter? in
            guard state.open < self.maxConnections, !state.waiters.isEmpty else { return nil }
            state.open += 1
            return state.waiters.removeFirst()
        }
        guard let waiter else { return }
        let eventLoop = MultiThreadedEventLoopGroup.singleton.any()
        Task {
            do throws(UpstreamError) {
                waiter.resume(returning: .success(try await self.connect(on: eventLoop)))
            } catch {
                self.state.withLock { $0.open -= 1 }
                waiter.resume(returning: .failure(error))
            }
        }
    }

    /// Closes every connection; waiting requests fail.
    func shutdown() async {
        let (idle, waiters) = self.state.withLock { state in
            state.stopped = true
            let idle = state.idle.values.flatMap { $0 }
            state.idle = [:]
            let waiters = state.waiters
            state.waiters = []
            return (idle, waiters)
        }
        for waiter in waiters { waiter.resume(returning: .failure(.shutdown)) }
        for connection in idle { try? await connection.channel.close() }
    }
}
