import NIOCore
import NIOSSL
import Synchronization

/// One command on its way into a connection's pipeline.
struct RedisRequest: Sendable {
    /// The command's name and arguments.
    var arguments: [RESPArgument]
    /// The command's name for errors (the first argument only).
    var name: String
    /// Completed with the reply, in order; `nil` for a command whose replies arrive as pushes
    /// (`SUBSCRIBE` on a subscriber connection).
    var reply: EventLoopPromise<RESPValue>?
    /// How long the reply may take before the connection is closed.
    var timeout: Duration?
}

/// The first error that broke a connection's stream, readable off the event loop: a command written after
/// the channel closed never reaches the handler, and fails with this (a TLS verification failure) rather
/// than a bare "closed channel".
final class ConnectionFailure: Sendable {
    private let first = Mutex<RedisError?>(nil)

    var error: RedisError? { self.first.withLock { $0 } }

    func record(_ error: RedisError) {
        self.first.withLock { if $0 == nil { $0 = error } }
    }
}

/// Matches replies to commands in order (RESP2 answers in the order commands were sent, so a FIFO of
/// promises is the whole protocol), enforces command timeouts, and hands unsolicited values (pub/sub
/// messages) to `pushes`.
///
/// Once anything breaks the stream (a timeout, a malformed reply, a closed socket), every waiting command
/// fails and the channel closes: a reply that arrives later could no longer be matched to its command.
final class RedisCommandHandler: ChannelDuplexHandler {
    typealias InboundIn = RESPValue
    typealias OutboundIn = RedisRequest
    typealias OutboundOut = ByteBuffer

    private struct Pending {
        var name: String
        var reply: EventLoopPromise<RESPValue>
        var timeout: Scheduled<Void>?
    }

    private var pending = CircularBuffer<Pending>(initialCapacity: 16)
    private let pushes: (@Sendable (RESPValue) -> Void)?
    /// Set once the stream is broken; later writes fail with it at once.
    private var failure: RedisError?
    private let record: ConnectionFailure

    init(pushes: (@Sendable (RESPValue) -> Void)?, record: ConnectionFailure) {
        self.pushes = pushes
        self.record = record
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = self.unwrapOutboundIn(data)
        if let failure = self.failure {
            request.reply?.fail(failure)
            promise?.fail(failure)
            return
        }
        var buffer = context.channel.allocator.buffer(capacity: RESPCommandEncoder.encodedLength(request.arguments))
        RESPCommandEncoder.encode(request.arguments, into: &buffer)
        if let reply = request.reply {
            var scheduled: Scheduled<Void>?
            if let timeout = request.timeout {
                let name = request.name
                scheduled = context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(timeout.nanoseconds)) {
                    self.fail(context: context, with: .commandTimeout(command: name, after: timeout), first: true)
                }
            }
            self.pending.append(Pending(name: request.name, reply: reply, timeout: scheduled))
        }
        context.write(self.wrapOutboundOut(buffer), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let value = self.unwrapInboundIn(data)
        if let head = self.pending.popFirst() {
            head.timeout?.cancel()
            head.reply.succeed(value)
        } else if let pushes = self.pushes {
            pushes(value)
        } else {
            self.fail(
                context: context, with: .protocolViolation("a \(value.typeName) reply arrived with no command waiting"),
                first: false
            )
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let failure: RedisError
        if let parse = error as? RESPParseError {
            failure = .protocolViolation(parse.description)
        } else if let redis = error as? RedisError {
            failure = redis
        } else if error is NIOSSLError || error is NIOSSLExtraError || error is BoringSSLError {
            failure = .tls(String(describing: error))
        } else {
            failure = .connectionClosed(command: nil, reason: String(describing: error))
        }
        self.fail(context: context, with: failure, first: false)
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.failAll(with: .connectionClosed(command: nil), first: false)
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.failAll(with: .connectionClosed(command: nil), first: false)
    }

    /// Fails every waiting command and closes the channel.
    ///
    /// - Parameter first: Whether `error` belongs to the oldest command only (a timeout); the others then
    ///   fail as closed connections.
    private func fail(context: ChannelHandlerContext, with error: RedisError, first: Bool) {
        self.failAll(with: error, first: first)
        context.close(promise: nil)
    }

    private func failAll(with error: RedisError, first: Bool) {
        if self.failure == nil {
            self.failure = error
            self.record.record(error)
        }
        var isFirst = true
        while let entry = self.pending.popFirst() {
            entry.timeout?.cancel()
            let own: RedisError =
                isFirst && first
                ? error : (first ? .connectionClosed(command: entry.name) : Self.named(error, entry.name))
            entry.reply.fail(own)
            isFirst = false
        }
    }

    /// `error` attributed to the command `name` when it names none.
    private static func named(_ error: RedisError, _ name: String) -> RedisError {
        error.command == nil && error.shortCode == "connection" ? .connectionClosed(command: name) : error
    }
}
