import Synchronization
import TokenManager

/// Collects a manager's events for assertions: `manager.subscribe(recorder.record)`.
public final class EventRecorder: Sendable {
    private let events = Mutex<[TokenEvent]>([])

    public init() {}

    public func record(_ event: TokenEvent) { self.events.withLock { $0.append(event) } }
    /// Every event so far, in order.
    public var all: [TokenEvent] { self.events.withLock { $0 } }
    public func kinds(_ kind: TokenEvent.Kind) -> [TokenEvent] { self.all.filter { $0.kind == kind } }
    /// The `to` states of the breaker's transitions, in order.
    public var breakerStates: [String] {
        self.kinds(.breakerTransition).compactMap { event in
            if case .string(let to)? = event["to"] { return to }
            return nil
        }
    }
}
