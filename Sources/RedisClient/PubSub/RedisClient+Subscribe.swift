import Logging
import NIOCore

extension RedisClient {
    /// Subscribes to `channels` on a connection of its own and delivers what arrives.
    ///
    /// The stream starts with ``RedisSubscriptionEvent/subscribed`` once the server confirmed every
    /// channel, then delivers ``RedisSubscriptionEvent/message(channel:payload:)``. When the connection
    /// breaks (a server restart, a network fault), the subscription reconnects with the client's backoff
    /// and subscribes again, then sends ``RedisSubscriptionEvent/resubscribed``: messages published in
    /// between are lost, so callers re-read what they watch and keep polling as a fallback.
    ///
    /// Cancelling the task that iterates the stream (or dropping the stream) sends `UNSUBSCRIBE` and
    /// closes the connection; so does ``shutdown()``, after which the stream finishes. Up to 4,096 events
    /// wait for a slow consumer; later ones are dropped.
    ///
    /// - Parameter channels: The channel names (`SUBSCRIBE`, not patterns).
    /// - Returns: The events; the stream throws ``RedisError`` when the server rejects `SUBSCRIBE` (an ACL
    ///   without the channel), or when the client is already shut down.
    public func subscribe(to channels: [String]) -> AsyncThrowingStream<RedisSubscriptionEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(
            of: RedisSubscriptionEvent.self, bufferingPolicy: .bufferingOldest(4096)
        )
        let unique = Array(Set(channels)).sorted()
        guard !unique.isEmpty else {
            continuation.finish()
            return stream
        }
        let registered = self.state.withLock { state -> Int? in
            if state.isShutdown { return nil }
            state.nextSubscription += 1
            return state.nextSubscription
        }
        guard let id = registered else {
            continuation.finish(throwing: RedisError.shutdown)
            return stream
        }
        let task = Task {
            await self.runSubscription(unique, continuation)
            _ = self.state.withLock { $0.subscriptions.removeValue(forKey: id) }
        }
        self.state.withLock { state in
            if state.isShutdown { task.cancel() } else { state.subscriptions[id] = task }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    /// Connects, subscribes and forwards messages until cancelled, reconnecting when the connection breaks.
    private func runSubscription(
        _ channels: [String],
        _ events: AsyncThrowingStream<RedisSubscriptionEvent, any Error>.Continuation
    ) async {
        var failures = 0
        var confirmedBefore = false
        let logger = self.logger
        while !Task.isCancelled {
            let (inbound, inboundContinuation) = AsyncStream.makeStream(of: RESPValue.self, bufferingPolicy: .unbounded)
            let connection: RedisConnection
            do {
                connection = try await RedisConnection.connect(
                    configuration: self.configuration, eventLoop: self.eventLoopGroup.next(), logger: logger,
                    pushes: { inboundContinuation.yield($0) }
                )
                connection.closeFuture.whenComplete { _ in inboundContinuation.finish() }
                try await connection.sendWithoutReply([RESPArgument("SUBSCRIBE")] + channels.map { RESPArgument($0) })
            } catch {
                inboundContinuation.finish()
                if Task.isCancelled { break }
                if let redis = error as? RedisError, redis.isServerError {
                    events.finish(throwing: redis)
                    return
                }
                failures += 1
                let delay = self.configuration.reconnect.delay(afterFailures: failures)
                let metadata: Logger.Metadata = ["redis.error": "\(error)", "redis.retry_in": "\(delay)"]
                if failures == 1 {
                    logger.info("Redis subscriber cannot connect", metadata: metadata)
                } else {
                    logger.debug("Redis subscriber cannot connect", metadata: metadata)
                }
                try? await Task.sleep(for: delay)
                continue
            }

            var pending = Set(channels)
            let outcome: SubscriberOutcome = await withTaskCancellationHandler {
                for await value in inbound {
                    switch Self.subscriberMessage(value) {
                    case .confirmed(let channel):
                        // Only the first full set of confirmations on a connection counts.
                        guard pending.remove(channel) != nil, pending.isEmpty else { break }
                        events.yield(confirmedBefore ? .resubscribed : .subscribed)
                        if confirmedBefore {
                            logger.info(
                                "Redis subscriber resubscribed", metadata: ["redis.channels": "\(channels.count)"])
                        }
                        confirmedBefore = true
                        failures = 0
                    case .message(let channel, let payload):
                        events.yield(.message(channel: channel, payload: payload))
                    case .rejected(let message):
                        return .rejected(RedisError.server(command: "SUBSCRIBE", message: message))
                    case .other:
                        break
                    }
                }
                return .closed
            } onCancel: {
                // UNSUBSCRIBE first (polite to the server), then close whatever it answers.
                let channel = connection.channel
                let request = RedisRequest(arguments: ["UNSUBSCRIBE"], name: "UNSUBSCRIBE", reply: nil, timeout: nil)
                channel.writeAndFlush(request).whenComplete { _ in channel.close(promise: nil) }
            }
            await connection.close()
            if case .rejected(let error) = outcome {
                events.finish(throwing: error)
                return
            }
            if Task.isCancelled { break }
            logger.info(
                "Redis subscriber connection lost; resubscribing", metadata: ["redis.channels": "\(channels.count)"])
        }
        events.finish()
    }

    private enum SubscriberOutcome: Sendable {
        case closed
        case rejected(RedisError)
    }

    private enum SubscriberMessage {
        case confirmed(String)
        case message(String, ByteBuffer)
        case rejected(String)
        case other
    }

    /// Reads a value a subscribed connection received: `[subscribe, channel, count]`,
    /// `[message, channel, payload]`, or an error reply.
    private static func subscriberMessage(_ value: RESPValue) -> SubscriberMessage {
        if case .error(let message) = value { return .rejected(message) }
        guard let parts = value.array, parts.count == 3, let kind = parts[0].string?.lowercased(),
            let channel = parts[1].string
        else { return .other }
        switch kind {
        case "subscribe": return .confirmed(channel)
        case "message":
            guard let payload = parts[2].bytes else { return .other }
            return .message(channel, payload)
        default: return .other
        }
    }
}
