import Synchronization

/// The consumers of one process's tokens, for the dashboard, `oauthtop status` and the socket: sinks
/// register when they start, exec'd tasks while they run, and each records its last hand-out.
public final class ConsumerRegistry: Sendable {
    private let consumers = Mutex<[String: Consumer]>([:])

    public init() {}

    /// Adds `consumer`, replacing one with the same id.
    public func register(_ consumer: Consumer) {
        self.consumers.withLock { $0[consumer.id] = consumer }
    }

    /// Records a token file attempt of consumer `id`, if registered.
    public func record(_ write: TokenFileWrite, id: String) {
        self.consumers.withLock { $0[id]?.record(write) }
    }

    /// Removes consumer `id` (an exec'd task that ended).
    public func remove(id: String) {
        _ = self.consumers.withLock { $0.removeValue(forKey: id) }
    }

    /// Every consumer, oldest first.
    public func snapshot() -> [Consumer] {
        self.consumers.withLock { Array($0.values) }.sorted { ($0.since, $0.id) < ($1.since, $1.id) }
    }
}
