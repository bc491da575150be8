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
        var nextWaiter = 0
        var stopped = false
    }

    private let state = Mutex(State())

    /// What a waiting request is given: a connection released, a free slot to make one in, or why neither.
    private enum Handed: Sendable {
        case connection(UpstreamConnection)
        case connect
        case failure(UpstreamError)
    }

    /// A request waiting for a connection (its number finds it again when its task is cancelled).
    private struct Waiter {
        let id: Int
        let continuation: CheckedContinuation<Handed, Never>
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

    /// An idle connection (one on `eventLoop` first), a new one, or the next one released or the next free
    /// slot. A waiting request whose task is cancelled (its client went away, the proxy stops) stops waiting.
    ///
    /// - Parameter fresh: Make a new connection (the retry of a request a reused one dropped).
    /// - Throws: ``UpstreamError`` when a new connection cannot be made, or the pool is stopping.
    func lease(on eventLoop: any EventLoop, fresh: Bool = false) async throws(UpstreamError) -> Lease {
        let key = ObjectIdentifier(eventLoop)
        let handed: Handed
        if let now = self.state.withLock({ self.take(&$0, key: key, fresh: fresh) }) {
            handed = now
        } else {
            let id = self.state.withLock { state in
                state.nextWaiter &+= 1
                return state.nextWaiter
            }
            handed = await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Handed, Never>) in
                    // Decided again under the lock that queues the waiter: a slot freed since is not missed.
                    let now = self.state.withLock { state -> Handed? in
                        if let handed = self.take(&state, key: key, fresh: fresh) { return handed }
                        if Task.isCancelled { return .failure(.shutdown) }
                        state.waiters.append(Waiter(id: id, continuation: continuation))
                        return nil
                    }
                    if let now { continuation.resume(returning: now) }
                }
            } onCancel: {
                let waiter = self.state.withLock { state -> Waiter? in
                    guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                    return state.waiters.remove(at: index)
                }
                waiter?.continuation.resume(returning: .failure(.shutdown))
            }
        }
        switch handed {
        case .connection(let connection):
            return Lease(connection: connection, reused: true)
        case .connect:
            do {
                return Lease(connection: try await self.connect(on: eventLoop), reused: false)
            } catch {
                self.state.withLock { $0.open -= 1 }
                self.handOnSlot()
                throw error
            }
        case .failure(let error):
            throw error
        }
    }

    /// An idle connection on `eventLoop`, taken at once; `nil` when there is none there (the proxy's event-loop fast
    /// path then goes the async way, ``lease(on:fresh:)``).
    func idleConnection(on eventLoop: any EventLoop) -> UpstreamConnection? {
        let key = ObjectIdentifier(eventLoop)
        return self.state.withLock { state in
            state.stopped ? nil : state.idle[key]?.popLast()
        }
    }

    /// An idle connection, or a slot for a new one, or the pool's end; `nil` when the request must wait.
    private func take(_ state: inout State, key: ObjectIdentifier, fresh: Bool) -> Handed? {
        if state.stopped { return .failure(.shutdown) }
        if !fresh {
            if let connection = state.idle[key]?.popLast() { return .connection(connection) }
            for other in state.idle.keys {
                if let connection = state.idle[other]?.popLast() { return .connection(connection) }
            }
        }
        if state.open < self.maxConnections {
            state.open += 1
            return .connect
        }
        return nil
    }

    /// Makes a connection on `eventLoop`: TCP (no Nagle), TLS for https, HTTP/1.1, the exchange handler (which
    /// keeps the read timeout).
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
                    // No outbound header validation, as on the client's side (``ProxyChannel``), and no automatic
                    // framing: ``ProxyPipeline/upstreamHead(_:body:tokenField:)`` sets `Content-Length` or
                    // `Transfer-Encoding` itself.
                    var encoder = HTTPRequestEncoder.Configuration()
                    encoder.automaticallySetFramingHeaders = false
                    // NIO's client handlers, by hand: the wire path's handler (below them) tells the decoder of the
                    // requests it writes as bytes and of the responses it leaves to it.
                    let decoder = HTTPResponseDecoder(leftOverBytesStrategy: .dropBytes)
                    try sync.addHandler(UpstreamWireHandler(decoder: decoder))
                    try sync.addHandler(HTTPRequestEncoder(configuration: encoder))
                    try sync.addHandler(ByteToMessageHandler(decoder))
                    try sync.addHandler(UpstreamExchangeHandler(readTimeout: readTimeout))
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
                let wire = try channel.pipeline.syncOperations.handler(type: UpstreamWireHandler.self)
                // Closed before `onClosed` was set (the upstream closed at once): it would never free its slot.
                if handler.isClosed { throw UpstreamError.closed(beforeResponse: true) }
                let connection = UpstreamConnection(channel: channel, handler: handler, wire: wire)
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
            case waiter(CheckedContinuation<Handed, Never>)
            case pooled
            case close
        }
        let next = self.state.withLock { state -> Next in
            if state.stopped { return .close }
            if !state.waiters.isEmpty { return .waiter(state.waiters.removeFirst().continuation) }
            state.idle[ObjectIdentifier(connection.channel.eventLoop), default: []].append(connection)
            return .pooled
        }
        switch next {
        case .waiter(let waiter): waiter.resume(returning: .connection(connection))
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

    /// A free slot goes to the first waiter, which makes a connection in it (on its own event loop).
    private func handOnSlot() {
        let waiter = self.state.withLock { state -> Waiter? in
            guard !state.stopped, state.open < self.maxConnections, !state.waiters.isEmpty else { return nil }
            state.open += 1
            return state.waiters.removeFirst()
        }
        waiter?.continuation.resume(returning: .connect)
    }

    /// Stops the pool: closes every idle connection, and each leased one when its exchange ends; waiting
    /// requests fail with ``UpstreamError/shutdown`` at once, and so do later leases. Called when a graceful
    /// shutdown begins (requests waiting for a connection end then, not after the slow ones ahead of them).
    func stop() {
        let (idle, waiters) = self.state.withLock { state in
            state.stopped = true
            let idle = state.idle.values.flatMap { $0 }
            state.idle = [:]
            let waiters = state.waiters
            state.waiters = []
            return (idle, waiters)
        }
        for waiter in waiters { waiter.continuation.resume(returning: .failure(.shutdown)) }
        for connection in idle { connection.channel.close(promise: nil) }
    }

    /// ``stop()``, then waits until the idle connections are closed.
    func shutdown() async {
        let idle = self.state.withLock { state in state.idle.values.flatMap { $0 } }
        self.stop()
        for connection in idle { try? await connection.channel.closeFuture.get() }
    }
}
