import Dashboard
import Synchronization
import TokenManager

/// What the token manager's events tell about each provider's recent past, for the detail view: every
/// endpoint's latest request outcomes and the circuit breaker's latest transitions. Bounded: it keeps the
/// newest ``capacity`` of each.
///
/// It records what the events say and nothing else: a success is a `refresh_succeeded` (with the endpoint and
/// the round's duration), a failure an `attempt_failed` (with the endpoint and the failure's short code), a
/// transition a `breaker` event.
public final class ProviderHistory: Sendable {
    private struct Record {
        var outcomes: [String: [EndpointRow.Outcome]] = [:]
        var breaker: [BreakerChange] = []
    }

    private let records = Mutex<[String: Record]>([:])
    /// The most outcomes kept per endpoint, and transitions per provider.
    public let capacity: Int

    /// Creates an empty history.
    public init(capacity: Int = 20) {
        self.capacity = max(1, capacity)
    }

    /// Creates a history that records `manager`'s events from now on.
    public convenience init(observing manager: OAuthTokenManager, capacity: Int = 20) {
        self.init(capacity: capacity)
        manager.subscribe { [self] event in self.record(event) }
    }

    /// Records one event (others than the kinds above are ignored).
    public func record(_ event: TokenEvent) {
        switch event.kind {
        case .refreshSucceeded, .attemptFailed:
            guard case .string(let endpoint)? = event["endpoint"] else { return }
            var duration: Double?
            if case .double(let milliseconds)? = event["duration_ms"] { duration = milliseconds }
            var code = ""
            if case .string(let outcome)? = event["outcome"] { code = outcome }
            let outcome = EndpointRow.Outcome(
                time: event.timestamp, succeeded: event.kind == .refreshSucceeded, code: code,
                durationMilliseconds: duration
            )
            self.records.withLock { records in
                var outcomes = records[event.provider, default: Record()].outcomes[endpoint, default: []]
                outcomes.append(outcome)
                if outcomes.count > self.capacity { outcomes.removeFirst(outcomes.count - self.capacity) }
                records[event.provider, default: Record()].outcomes[endpoint] = outcomes
            }
        case .breakerTransition:
            guard case .string(let from)? = event["from"], case .string(let to)? = event["to"],
                let from = BreakerStatus(rawValue: from), let to = BreakerStatus(rawValue: to)
            else { return }
            let change = BreakerChange(time: event.timestamp, from: from, to: to)
            self.records.withLock { records in
                var changes = records[event.provider, default: Record()].breaker
                changes.append(change)
                if changes.count > self.capacity { changes.removeFirst(changes.count - self.capacity) }
                records[event.provider, default: Record()].breaker = changes
            }
        default:
            return
        }
    }

    /// Provider `name`'s endpoints with their recent outcomes: the configured ones in order, then any other
    /// the events named.
    public func endpoints(of name: String, configured: [String]) -> [EndpointRow] {
        let outcomes = self.records.withLock { $0[name]?.outcomes ?? [:] }
        let others = outcomes.keys.filter { !configured.contains($0) }.sorted()
        return (configured + others).map { EndpointRow(url: $0, outcomes: outcomes[$0] ?? []) }
    }

    /// Provider `name`'s recent breaker transitions, oldest first.
    public func breakerChanges(of name: String) -> [BreakerChange] {
        self.records.withLock { $0[name]?.breaker ?? [] }
    }
}
