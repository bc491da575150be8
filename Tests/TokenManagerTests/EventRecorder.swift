import Synchronization
import TokenManager

/// Collects events for assertions.
final class EventRecorder: Sendable {
    private let events = Mutex<[TokenEvent]>([])
    func record(_ event: TokenEvent) { self.events.withLock { $0.append(event) } }
    var all: [TokenEvent] { self.events.withLock { $0 } }
    func kinds(_ kind: TokenEvent.Kind) -> [TokenEvent] { self.all.filter { $0.kind == kind } }
    var breakerStates: [String] {
        self.kinds(.breakerTransition).compactMap { event in
            if case .string(let to)? = event["to"] { return to }
            return nil
        }
    }
}
