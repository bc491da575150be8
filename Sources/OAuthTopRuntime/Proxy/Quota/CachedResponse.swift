import HTTPTypes
import NIOCore

/// A stored `200` response: its header fields as the client got them, its body, and its age and freshness
/// (RFC 9111 §4.2).
public struct CachedResponse: Sendable {
    /// The header fields as the proxy sent them to the client that caused the store.
    public var headers: HTTPFields
    public var body: ByteBuffer
    /// Unix nanoseconds when the response arrived.
    var storedAt: Int64
    /// Its age when it arrived (`Age`, or how far its `Date` lay behind), RFC 9111 §4.2.3's corrected initial age.
    var initialAge: Duration
    /// How long it is fresh from its origin (`s-maxage`, `max-age`, `Expires` − `Date`, or the configured ttl).
    var lifetime: Duration

    /// Its current age at `now` (Unix nanoseconds): initial age plus the time it has been stored.
    func age(now: Int64) -> Duration {
        self.initialAge + .nanoseconds(max(0, now &- self.storedAt))
    }

    /// Whether it may be served at `now`.
    func isFresh(now: Int64) -> Bool {
        self.lifetime > self.age(now: now)
    }

    /// Bytes it holds: body and header names and values (what the cache's byte bound counts).
    var size: Int {
        self.body.readableBytes + self.headers.reduce(0) { $0 + $1.name.rawName.utf8.count + $1.value.utf8.count + 4 }
    }
}
