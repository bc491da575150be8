// The background refresher: plans the next round from the session state, then sleeps or refreshes.

extension ProviderSession {
    enum Plan {
        case refresh(RefreshReason)
        case sleep(until: Int64?)
    }

    /// Keeps the token fresh until cancelled: refreshes in the advisory window, retries failed
    /// rounds with backoff, waits out open breakers and `Retry-After`, and stops retrying after a
    /// final error until woken by a manual refresh.
    func runRefresher() async {
        while !Task.isCancelled {
            let now = self.clock.now()
            let plan = self.state.withLock { state -> Plan in
                if state.inflight != nil { return .refresh(.advisory) }
                if state.finalError != nil { return .sleep(until: nil) }
                if state.breaker.state == .open {
                    return now >= state.breaker.reopensAt ? .refresh(.retry) : .sleep(until: state.breaker.reopensAt)
                }
                if let retryAt = state.retryAt {
                    return now >= retryAt ? .refresh(.retry) : .sleep(until: retryAt)
                }
                // No token after a success means a caller reported it rejected.
                guard let token = state.token else { return .refresh(state.lastSuccessAt == nil ? .initial : .rejected) }
                if now >= token.windows.mandatoryAt { return .refresh(.mandatory) }
                if now >= token.windows.advisoryAt { return .refresh(.advisory) }
                return .sleep(until: token.windows.advisoryAt)
            }
            switch plan {
            case .refresh(let reason):
                _ = try? await self.refresh(reason: reason, countsAsConflict: false)
            case .sleep(let deadline):
                if let deadline {
                    await self.wake.sleep(untilNanos: deadline, clock: self.clock)
                } else {
                    await self.wake.wait()
                }
            }
        }
    }
}
