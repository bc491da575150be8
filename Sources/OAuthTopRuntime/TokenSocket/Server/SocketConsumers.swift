import Primitives
import Synchronization

/// The consumers the token socket has seen: per Unix peer (pid and uid from `SO_PEERCRED`) the first and last
/// request's time, the last provider asked about and a request count; TCP clients together as one entry (TCP
/// tells no pid). Bounded: past ``capacity`` entries the least recently seen is dropped.
///
/// It lists them as ``Consumer`` values, like the sinks and exec'd tasks of ``ConsumerRegistry``; `/v1/status`
/// and the dashboard convert from those.
public final class SocketConsumers: Sendable {
    private struct Key: Hashable {
        var transport: String
        var pid: Int32?
        var uid: UInt32?
    }

    private struct Entry {
        var firstRequestAt: Int64
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
            var entry = entries[key] ?? Entry(firstRequestAt: now, lastRequestAt: now, lastProvider: nil, requests: 0)
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
    public func consumers() -> [Consumer] {
        self.entries.withLock { $0 }
            .sorted { $0.value.lastRequestAt > $1.value.lastRequestAt }
            .map { key, entry in
                let name = key.transport == "tcp" ? "tcp clients" : "unix" + (key.uid.map { " uid \($0)" } ?? "")
                var consumer = Consumer(
                    id: "socket:\(key.transport):\(key.pid.map(String.init) ?? "-"):\(key.uid.map(String.init) ?? "-")",
                    kind: .socket, provider: entry.lastProvider ?? "", name: name, pid: key.pid,
                    since: entry.firstRequestAt
                )
                consumer.lastAt = entry.lastRequestAt
                consumer.transport = key.transport
                consumer.uid = key.uid
                consumer.requests = entry.requests
                return consumer
            }
    }

    /// The consumers as `/v1/status` lists them, most recently seen first.
    public func list() -> [SocketStatus.Consumer] {
        self.consumers().map(SocketStatus.Consumer.init)
    }
}

extension SocketStatus.Consumer {
    /// The `/v1/status` entry of a socket client.
    public init(_ consumer: Consumer) {
        self.init(
            kind: consumer.kind.rawValue, transport: consumer.transport ?? (consumer.kind == .socket ? "" : "file"),
            pid: consumer.pid, uid: consumer.uid,
            lastRequestAt: RFC3339.seconds(unixNanoseconds: consumer.lastAt ?? consumer.since),
            lastProvider: consumer.provider.isEmpty ? nil : consumer.provider, requests: consumer.requests ?? 0,
            name: consumer.kind == .socket ? nil : consumer.name
        )
    }
}
