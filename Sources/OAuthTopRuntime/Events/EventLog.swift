import Synchronization
import TokenManager

/// The most recent events (the token manager's and the alert evaluation's), for the dashboard's log, and
/// whether any arrived since the last frame (so a manual refresh's outcome is drawn at once, not at the next
/// tick).
public final class EventLog: Sendable {
    private struct State {
        var events: [RuntimeEvent] = []
        var dirty = false
    }

    private let capacity: Int
    private let state = Mutex(State())

    public init(capacity: Int = 200) {
        self.capacity = max(1, capacity)
    }

    public func append(_ event: RuntimeEvent) {
        self.state.withLock { state in
            state.events.append(event)
            if state.events.count > self.capacity { state.events.removeFirst(state.events.count - self.capacity) }
            state.dirty = true
        }
    }

    /// The events, oldest first, and whether any arrived since the last call.
    public func read() -> (events: [RuntimeEvent], changed: Bool) {
        self.state.withLock { state in
            defer { state.dirty = false }
            return (state.events, state.dirty)
        }
    }
}
