// The slow path: callers that found no usable token start or join a single-flight round.

extension ProviderSession {
    enum Next {
        case token(AccessToken)
        /// A round started for this caller.
        case wait(RefreshFlight)
        /// The round in flight, joined: a refresh conflict, counted by the caller once the lock is released.
        case join(RefreshFlight)
        case fail(TokenRefreshError)
    }

    /// Gets a token for a caller that found none in its thread's cache: the current one (copied into the thread's
    /// cache) when it is usable, else the outcome of a refresh round (joining one in flight).
    ///
    /// One lock decides and, when the caller waits, enqueues it on the flight: with 10,000 callers on two threads
    /// every lock on their way is contended, so there is one.
    func token(now: Int64) async throws(TokenRefreshError) -> AccessToken {
        var expired = false
        var conflict = false
        var joined: RefreshFlight?
        var refill: ThreadTokenCache.Entry?
        let outcome: RefreshFlight.Outcome = await withUnsafeContinuation { continuation in
            let next = self.state.withLock { state -> Next? in
                if let token = state.token, now < token.windows.mandatoryAt {
                    if !token.handedOut { state.token?.handedOut = true }
                    refill = ThreadTokenCache.Entry(
                        generation: self.generation.load(ordering: .relaxed), mandatoryAt: token.windows.mandatoryAt,
                        token: token.access.withOwnStorage()
                    )
                    return .token(token.access)
                }
                if let token = state.token, now >= token.windows.expiresAt, token.handedOut, !token.expiryCounted {
                    state.token?.expiryCounted = true
                    expired = true
                }
                let next = self.startOrJoin(
                    &state, now: now, reason: state.token == nil ? .initial : .mandatory, byCaller: true
                )
                let flight: RefreshFlight
                switch next {
                case .wait(let started): flight = started
                case .join(let inflight):
                    flight = inflight
                    conflict = true
                case .token, .fail: return next
                }
                joined = flight
                guard let finished = flight.enqueue(continuation) else { return nil }
                return finished.next
            }
            // Counted before the wait (an operator sees callers queue up), outside the lock.
            if conflict { self.metrics.conflicts.increment() }
            if let refill { ThreadTokenCache.withCurrent(key: self.cacheKey) { $0.store(refill, slot: self.slot) } }
            if let joined, !conflict { self.launch(joined) }  // the flight this caller started
            switch next {
            case nil: break  // enqueued: the round's end resumes it
            case .token(let token): continuation.resume(returning: .success(token))
            case .fail(let error): continuation.resume(returning: .failure(error))
            case .wait, .join: preconditionFailure("a finished flight gives its outcome")
            }
        }
        if expired { self.recordExpiredInUse(now: now) }
        switch outcome {
        case .success(let token):
            // A round a caller started installs its token as handed out already.
            if let joined, !joined.startedByCaller { self.markHandedOut() }
            return token
        case .failure(let error):
            throw error
        }
    }

    /// Starts a round now, or joins the one in flight, and waits for its outcome.
    ///
    /// A manual refresh also clears a final error (the operator may have fixed the credential)
    /// and lets a probe through an open breaker. A manual refresh refused without a round (a
    /// `Retry-After` beyond the policy's limit) publishes a `refresh_refused` event with the reason.
    ///
    /// - Parameters:
    ///   - reason: Why; `.manual` clears a final error and may probe an open breaker.
    ///   - countsAsConflict: Whether joining a round in flight counts as a refresh conflict
    ///     (the background refresher's own joins do not).
    func refresh(reason: RefreshReason, countsAsConflict: Bool = true) async throws(TokenRefreshError) -> AccessToken {
        let now = self.clock.now()
        let next = self.state.withLock { state -> Next in
            if reason == .manual { state.finalError = nil }
            return self.startOrJoin(&state, now: now, reason: reason)
        }
        if case .join = next, countsAsConflict { self.metrics.conflicts.increment() }
        if case .wait(let started) = next { self.launch(started) }
        switch next {
        case .token(let token): return token
        case .fail(let error):
            // Whoever asked (the dashboard's `r`, a script), the operator sees why at once.
            if reason == .manual { self.publishRefused(error, at: now) }
            throw error
        case .wait(let flight), .join(let flight):
            switch await flight.wait() {
            case .success(let token): return token
            case .failure(let error): throw error
            }
        }
    }

    func markHandedOut() {
        self.state.withLock { state in
            if state.token?.handedOut == false { state.token?.handedOut = true }
        }
    }

    /// Decides, under the lock, whether to join a round (`.join`: the caller counts the conflict after the lock),
    /// start one (`.wait`: the caller launches it with ``launch(_:)`` once the lock is released) or fail at once.
    func startOrJoin(
        _ state: inout SessionState,
        now: Int64,
        reason: RefreshReason,
        byCaller: Bool = false
    ) -> Next {
        if let inflight = state.inflight { return .join(inflight) }
        if let finalError = state.finalError {
            return .fail(.revoked(provider: self.name, previous: finalError))
        }
        if state.breaker.state == .open && now < state.breaker.reopensAt && reason != .manual {
            return .fail(
                .breakerOpen(
                    provider: self.name,
                    retryInSeconds: Double(state.breaker.reopensAt - now) / 1e9,
                    lastError: state.lastError?.description
                )
            )
        }
        if state.notBefore > now + self.configuration.retry.maxRetryAfter.nanoseconds {
            return .fail(
                .rateLimited(
                    provider: self.name, state.lastError?.endpoints ?? [], notBefore: state.notBefore,
                    waitSeconds: Double(state.notBefore - now) / 1e9
                )
            )
        }
        let flight = RefreshFlight(reason: reason, startedByCaller: byCaller)
        state.inflight = flight
        return .wait(flight)
    }

    /// Runs the round of a flight just started, once the session's lock is released.
    ///
    /// The round runs in a task of its own, so that no caller's cancellation cancels it for the others. It starts
    /// at once on the starting caller's thread (`Task.immediate`) until its first suspension, so its request is
    /// on its way without waiting for a thread to be scheduled.
    ///
    /// It runs at high priority: when the token endpoint answers, its resumption goes to the global pool's
    /// high-priority queue, not behind the callers waiting for it (with 10,000 callers most of them wait, and
    /// their tasks fill the default-priority queue). Measured with the Go anchor's 10,000 callers, interleaved in
    /// one process: 4-6% less time than the rounds' former thread of their own (a `ThreadExecutor`), whose
    /// wake-up competed with the callers' threads for the cores; no change with high-priority callers.
    func launch(_ flight: RefreshFlight) {
        Task.immediate(priority: .high) {
            flight.finish(await self.runRound(reason: flight.reason, handedOut: flight.startedByCaller).map(\.access))
        }
    }
}

extension Result where Success == AccessToken, Failure == TokenRefreshError {
    /// A finished flight's outcome as the slow path's decision.
    fileprivate var next: ProviderSession.Next {
        switch self {
        case .success(let token): .token(token)
        case .failure(let error): .fail(error)
        }
    }
}
