/// The RedisClient target is oauthtop's own Redis client: RESP2 over SwiftNIO, for the commands fleet
/// coordination needs.
///
/// It owns: the RESP2 wire format (``RESPValue``, the streaming ``RESPParser`` and its limits, the command
/// encoder), single connections (``RedisConnection``: TLS, `AUTH`, `SELECT`, pipelining, command
/// timeouts), the pool with reconnect backoff (``RedisClient``), typed helpers for the commands oauthtop
/// sends (`GET`, `SET NX PX`, `DEL`, `INCR`, `PEXPIRE`, `PUBLISH`, `EVAL`/`EVALSHA` with ``RedisScript``),
/// and pub/sub subscriptions that resubscribe after a reconnect.
///
/// It must not: know about tokens, providers, locks or the coordination protocol (those live above it),
/// log or put in an error any command argument or reply value (only a command's name), or own an event
/// loop group it was given.
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// A small pool of Redis connections: the object the rest of oauthtop talks to Redis through.
///
/// Connections open lazily, up to ``RedisConfiguration/poolSize``, as concurrent commands need them;
/// commands are spread over the open connections round-robin and pipelined on each. A connection that
/// breaks is dropped and replaced on a later command. After a failed connect the client waits the
/// reconnect backoff (``RedisConfiguration/reconnect``) before trying again; until then, commands that
/// find no open connection fail at once with a connection error (``RedisError/isConnectionError``), so a
/// caller can fall back instead of waiting on a server that is down. Commands are never retried by the
/// client: a command whose connection broke may or may not have run.
///
/// Lifecycle: call ``shutdown()`` when done; it ends subscriptions and closes every connection. The
/// client uses the event loop group it is given and never shuts that group down.
public final class RedisClient: Sendable {
    /// Address, credentials, timeouts, pool size and backoff.
    public let configuration: RedisConfiguration
    let eventLoopGroup: any EventLoopGroup
    /// The loop every pooled connection runs on (one of the group's), so that ``taskExecutor`` is theirs.
    let eventLoop: any EventLoop
    /// Runs a task's jobs on the pooled connections' event loop: commands sent from such a task do not
    /// hop between threads (``EventLoopTaskExecutor``). For callers that send several commands in a row
    /// (`withTaskExecutorPreference(client.taskExecutor) { ... }`); only non-blocking work belongs there.
    public let taskExecutor: EventLoopTaskExecutor
    let logger: Logger
    let state: Mutex<PoolState>

    /// Makes a client; no connection opens until the first command.
    ///
    /// - Parameters:
    ///   - configuration: Where the server is and how to reach it.
    ///   - eventLoopGroup: Where connections run; `MultiThreadedEventLoopGroup.singleton` by default.
    ///   - logger: Receives connect, disconnect and reconnect lines at `info` and `debug`; never arguments
    ///     or values.
    /// - Throws: ``RedisConfigurationError`` when the configuration's pool size, timeouts or backoff are
    ///   unusable.
    public init(
        configuration: RedisConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger
    ) throws {
        try configuration.validate()
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
        self.eventLoop = eventLoopGroup.next()
        self.taskExecutor = EventLoopTaskExecutor(self.eventLoop)
        var logger = logger
        logger[metadataKey: "redis.endpoint"] = "\(configuration.endpointDescription)"
        self.logger = logger
        self.state = Mutex(PoolState(size: configuration.poolSize))
    }

    /// Sends one command on a pooled connection and waits for its reply.
    ///
    /// - Parameter arguments: The command's name and its arguments (`["SET", key, value]`).
    /// - Returns: The reply (never `.error`: an error reply is thrown).
    /// - Throws: ``RedisError``: the server's error reply naming the command, a timeout, an unreachable
    ///   server, or a shut-down client.
    @discardableResult
    public func send(_ arguments: [RESPArgument]) async throws -> RESPValue {
        let connection = try await self.leaseConnection()
        return try await connection.send(arguments)
    }

    /// How many connections are open now (for tests and status displays).
    public var openConnections: Int {
        self.state.withLock { state in
            state.slots.reduce(0) { count, slot in
                if case .ready(let connection, _) = slot, connection.isActive { return count + 1 }
                return count
            }
        }
    }

    /// Ends every subscription, closes every connection and fails later commands with a shutdown error.
    /// Returns once all channels are closed. Calling it again does nothing.
    public func shutdown() async {
        let (connections, attempts, subscriptions) = self.state.withLock { state in
            state.isShutdown = true
            var connections: [RedisConnection] = []
            var attempts: [EventLoopFuture<RedisConnection>] = []
            for slot in state.slots {
                switch slot {
                case .ready(let connection, _): connections.append(connection)
                case .connecting(let future, _): attempts.append(future)
                case .idle: break
                }
            }
            state.slots = Array(repeating: .idle, count: state.slots.count)
            let subscriptions = Array(state.subscriptions.values)
            state.subscriptions = [:]
            return (connections, attempts, subscriptions)
        }
        for subscription in subscriptions { subscription.cancel() }
        for subscription in subscriptions { await subscription.value }
        for connection in connections { await connection.close() }
        for attempt in attempts {
            if let connection = try? await attempt.get() { await connection.close() }
        }
        self.logger.debug("Redis client shut down")
    }
}

// MARK: - The pool

extension RedisClient {
    /// One place in the pool.
    enum Slot {
        case idle
        /// A connect under way; `attempt` identifies it, so a late completion cannot overwrite a newer one.
        case connecting(EventLoopFuture<RedisConnection>, attempt: Int)
        case ready(RedisConnection, attempt: Int)
    }

    struct PoolState {
        var slots: [Slot]
        var next = 0
        var attempts = 0
        var isShutdown = false
        /// Failed connects in a row, across the pool: the server being down is the client's concern.
        var failures = 0
        /// A connection closed under the pool (the server went away) and none was opened since.
        var lost = false
        var retryAt: NIODeadline?
        var lastError = ""
        var subscriptions: [Int: Task<Void, Never>] = [:]
        var nextSubscription = 0

        init(size: Int) {
            self.slots = Array(repeating: .idle, count: size)
        }
    }

    private enum Choice {
        case ready(RedisConnection)
        case wait(EventLoopFuture<RedisConnection>)
        case fail(RedisError)
    }

    /// An open connection: a ready one, one being opened, or a new one; opens one more in the background
    /// when the round-robin slot is empty, so a busy client grows to its pool size.
    func leaseConnection() async throws -> RedisConnection {
        var started: [(slot: Int, attempt: Int, promise: EventLoopPromise<RedisConnection>)] = []
        let choice: Choice = self.state.withLock { state in
            if state.isShutdown { return .fail(.shutdown) }
            let count = state.slots.count
            let first = state.next
            state.next = (state.next + 1) % count
            let now = NIODeadline.now()
            let mayConnect = state.retryAt.map { now >= $0 } ?? true

            func start(_ index: Int) -> EventLoopFuture<RedisConnection> {
                state.attempts += 1
                let promise = self.eventLoop.makePromise(of: RedisConnection.self)
                state.slots[index] = .connecting(promise.futureResult, attempt: state.attempts)
                started.append((index, state.attempts, promise))
                return promise.futureResult
            }
            func isOpenable(_ index: Int) -> Bool {
                switch state.slots[index] {
                case .idle: true
                case .ready(let connection, _): !connection.isActive
                case .connecting: false
                }
            }

            var kicked: EventLoopFuture<RedisConnection>?
            if mayConnect && isOpenable(first) { kicked = start(first) }
            for offset in 0..<count {
                if case .ready(let connection, _) = state.slots[(first + offset) % count], connection.isActive {
                    return .ready(connection)
                }
            }
            if let kicked { return .wait(kicked) }
            for offset in 0..<count {
                if case .connecting(let future, _) = state.slots[(first + offset) % count] { return .wait(future) }
            }
            if mayConnect {
                for offset in 0..<count where isOpenable((first + offset) % count) {
                    return .wait(start((first + offset) % count))
                }
            }
            let delay = state.retryAt.map { $0 - now } ?? .zero
            return .fail(
                .unavailable(
                    self.configuration.endpointDescription, retryIn: .nanoseconds(max(delay.nanoseconds, 0)),
                    lastError: state.lastError
                )
            )
        }
        for attempt in started { self.open(slot: attempt.slot, attempt: attempt.attempt, promise: attempt.promise) }
        switch choice {
        case .ready(let connection): return connection
        case .wait(let future): return try await future.get()
        case .fail(let error): throw error
        }
    }

    /// Connects for `slot` and records the outcome in the pool.
    private func open(slot: Int, attempt: Int, promise: EventLoopPromise<RedisConnection>) {
        let eventLoop = promise.futureResult.eventLoop
        promise.completeWithTask {
            try await RedisConnection.connect(
                configuration: self.configuration, eventLoop: eventLoop, logger: self.logger)
        }
        promise.futureResult.whenComplete { result in
            switch result {
            case .success(let connection): self.opened(connection, slot: slot, attempt: attempt)
            case .failure(let error): self.failedToOpen(error, slot: slot, attempt: attempt)
            }
        }
    }

    private func opened(_ connection: RedisConnection, slot: Int, attempt: Int) {
        let (keep, failuresBefore, wasLost) = self.state.withLock { state -> (Bool, Int, Bool) in
            let (failures, lost) = (state.failures, state.lost)
            state.failures = 0
            state.retryAt = nil
            guard !state.isShutdown, case .connecting(_, attempt) = state.slots[slot] else { return (false, failures, lost) }
            state.slots[slot] = .ready(connection, attempt: attempt)
            state.lost = false
            return (true, failures, lost)
        }
        guard keep else {
            connection.channel.close(promise: nil)
            return
        }
        // After a lost connection too, not only after failed connects: a server back before the next connect
        // attempt (a quick restart) is a reconnection the operator should see.
        if failuresBefore > 0 || wasLost {
            self.logger.info("Redis reconnected", metadata: ["redis.failed_attempts": "\(failuresBefore)"])
        } else {
            self.logger.debug("Redis pool connection opened", metadata: ["redis.slot": "\(slot)"])
        }
        connection.closeFuture.whenComplete { _ in
            let wasCurrent = self.state.withLock { state -> Bool in
                guard !state.isShutdown, case .ready(_, attempt) = state.slots[slot] else { return false }
                state.slots[slot] = .idle
                state.lost = true
                return true
            }
            if wasCurrent {
                self.logger.info(
                    "Redis connection closed; it is replaced on the next command", metadata: ["redis.slot": "\(slot)"])
            }
        }
    }

    private func failedToOpen(_ error: any Error, slot: Int, attempt: Int) {
        let reason = String(describing: error)
        let (failures, delay) = self.state.withLock { state -> (Int, Duration) in
            if case .connecting(_, attempt) = state.slots[slot] { state.slots[slot] = .idle }
            state.failures += 1
            let delay = self.configuration.reconnect.delay(afterFailures: state.failures)
            state.retryAt = NIODeadline.now() + .nanoseconds(delay.nanoseconds)
            state.lastError = reason
            return (state.failures, delay)
        }
        let metadata: Logger.Metadata = [
            "redis.error": "\(reason)", "redis.retry_in": "\(delay)", "redis.failures": "\(failures)",
        ]
        if failures == 1 {
            self.logger.info("Redis connect failed", metadata: metadata)
        } else {
            self.logger.debug("Redis connect failed again", metadata: metadata)
        }
    }
}
