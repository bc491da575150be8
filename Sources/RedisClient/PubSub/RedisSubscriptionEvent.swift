import NIOCore

/// What a subscription (``RedisClient/subscribe(to:)``) delivers.
public enum RedisSubscriptionEvent: Sendable, Hashable {
    /// The server confirmed every channel: messages published from now on arrive. Sent once, first.
    case subscribed
    /// The subscriber connection broke and was reopened, and every channel is confirmed again.
    ///
    /// Messages published while it was down are lost (Redis pub/sub keeps nothing): a caller that must
    /// not miss a change re-reads the state it watches when it sees this, and polls as a fallback.
    case resubscribed
    /// A message published to one of the channels.
    case message(channel: String, payload: ByteBuffer)
}
