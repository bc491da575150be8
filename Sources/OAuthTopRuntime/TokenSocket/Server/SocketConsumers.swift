import Primitives
import Synchronization

/// The consumers the token socket has seen: per Unix peer (pid and uid from `SO_PEERCRED`) the last
/// request's time and provider and a request count; TCP clients together as one entry (TCP tells no
/// pid). Bounded: past ``capacity`` entries the least recently seen is dropped.
public final class SocketConsumers: Sendable {
    private struct Key: Hashable {
        var transport: String
        var pid: Int32?
        var uid: UInt32?
    }

    private struct Entry {
        var lastRequestAt: Int64
        var lastProvider: String?
        var requests: Int
    }

    private let entries = Mutex<[Key: Entry]>([:])
    /// The most entries kept.
    public let capacity: Int

    public init(capacity: Int = 256) {
        self.capacity = max(1, capacity)
    }

    /// Records a request of `peer` at `now` (Unix nanoseconds), about `provider` if it named one.
    public func record(_ peer: SocketPeer, provider: String?, at now: Int64) {
        let key = Key(transport: peer.transport.rawValue, pid: peer.pid, uid: peer.uid)
        self.entries.withLock { entries in
            var entry = entries[key] ?? Entry(lastRequestAt: now, lastProvider: nil, requests: 0)
            entry.lastRequestAt = now
            entry.requests += 1
            if let provider { entry.lastProvider = provider }
            entries[key] = entry
            if entries.count > self.capacity,
                let oldest = entries.min(by: { $0.value.lastRequestAt < $1.value.lastRequestAt })
            {
                entries[oldest.key] = nil
            }
        }
    }

    /// The consumers, most recently seen first.
    public func list() -> [SocketStatus.Consumer] {
        self.entries.withLock { $0 }
            .sorted { $0.value.lastRequestAt > $1.value.lastRequestAt }
            .map { key, entry in
                SocketStatus.Consumer(
                    kind: "socket", transport: key.transport, pid: key.pid, uid: key.uid,
                    lastRequestAt: RFC3339.seconds(unixNanoseconds: entry.lastRequestAt),
                    lastProvider: entry.lastProvider, requests: entry.requests
                )
            }
    }
}
