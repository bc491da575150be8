// The session's token events and breaker transitions, published on the event bus and the log.

import Logging

extension ProviderSession {
    /// Counts a handed-out token that expired before a new one was obtained.
    func recordExpiredInUse(now: Int64) {
        self.metrics.expiredDuringTask.increment()
        self.emit(.tokenExpired, at: now, [])
    }

    func publish(_ transition: BreakerTransition, at now: Int64) {
        self.metrics.breakerState.record(Double(transition.to.gaugeValue))
        self.emit(.breakerTransition, at: now, [
            ("from", .string(transition.from.rawValue)), ("to", .string(transition.to.rawValue)),
        ])
        self.environment.logger.info(
            "circuit breaker \(transition.to)",
            metadata: ["provider": "\(self.name)", "from": "\(transition.from)"]
        )
    }

    func emit(_ kind: TokenEvent.Kind, at timestamp: Int64, _ fields: [(key: String, value: TokenEvent.Value)]) {
        self.environment.events.emit(TokenEvent(kind: kind, timestamp: timestamp, provider: self.name, fields: fields))
    }
}
