// The session's token events and breaker transitions, published on the event bus and the log.

import Logging

extension ProviderSession {
    /// Counts a handed-out token that expired before a new one was obtained.
    func recordExpiredInUse(now: Int64) {
        self.metrics.expiredDuringTask.increment()
        self.emit(.tokenExpired, at: now, [])
    }

    /// Reports a manual refresh refused without a round, so the operator who asked sees why in the
    /// event log (the error names no secret).
    func publishRefused(_ error: TokenRefreshError, at now: Int64) {
        var fields: [(key: String, value: TokenEvent.Value)] = [
            ("reason", .string(error.reason)), ("code", .string(error.code.description)),
        ]
        if let notBefore = error.notBefore, notBefore > now {
            fields.append(("retry_in_s", .double((Double(notBefore - now) / 1e8).rounded() / 10)))
        }
        fields.append(("error", .string(error.description)))
        self.environment.events.emit(
            TokenEvent(kind: .refreshRefused, timestamp: now, provider: self.name, severity: .warning, fields: fields)
        )
        self.environment.logger.info(
            "manual refresh refused", metadata: ["provider": "\(self.name)", "reason": "\(error.reason)"]
        )
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
