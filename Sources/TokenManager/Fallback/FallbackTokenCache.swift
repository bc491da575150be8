import Primitives

/// A token a fetching fallback entry obtained, and when to fetch the next one.
struct FetchedToken: Sendable {
    var token: AccessToken
    /// From here on the next caller fetches a new token (the token itself stays usable until
    /// ``AccessToken/expiresAt`` if that fetch fails).
    var refreshAt: Int64
}

/// The cache in front of a fallback entry that fetches its token over the network (a GitHub App
/// installation token, a second OAuth client's token): one fetch at a time whatever the number of
/// callers, the token kept until its refresh time, and a failed fetch not repeated at once.
///
/// Why an actor: this is the fallback path (an outage), not the hot path; callers arriving during a
/// fetch wait for that fetch's result instead of starting their own.
actor FallbackTokenCache {
    private var cached: FetchedToken?
    private var inflight: Task<Result<FetchedToken, AttemptFailure>, Never>?
    /// The last failure and until when it is answered without a new request.
    private var held: (failure: AttemptFailure, until: Int64)?
    private var consecutiveFailures = 0
    private let clock: WallClock
    private let firstHold: Duration
    private let maxHold: Duration

    /// - Parameters:
    ///   - clock: Wall time.
    ///   - firstHold: How long a first failure is answered without a request; doubled for each
    ///     further consecutive failure up to `maxHold`. A rate limit's own wait counts if longer.
    init(clock: WallClock, firstHold: Duration, maxHold: Duration) {
        self.clock = clock
        self.firstHold = firstHold
        self.maxHold = max(firstHold, maxHold)
    }

    /// The cached token, or a new one from `fetch`.
    ///
    /// - Returns: The token, or why none could be had.
    func token(
        fetch: @escaping @Sendable () async -> Result<FetchedToken, AttemptFailure>
    ) async
        -> Result<AccessToken, AttemptFailure>
    {
        let now = self.clock.now()
        if let cached = self.cached, now < cached.refreshAt { return .success(cached.token) }
        if let inflight = self.inflight { return self.answer(await inflight.value) }
        if let held = self.held, now < held.until {
            if let cached = self.cached, now < cached.token.expiresAt { return .success(cached.token) }
            var failure = held.failure
            failure.detail += " (not retried before \(RFC3339.seconds(unixNanoseconds: held.until)))"
            return .failure(failure)
        }
        let task = Task { await fetch() }
        self.inflight = task
        let result = await task.value
        self.inflight = nil
        switch result {
        case .success(let fetched):
            self.cached = fetched
            self.held = nil
            self.consecutiveFailures = 0
        case .failure(let failure):
            self.consecutiveFailures += 1
            let exponent = min(self.consecutiveFailures - 1, 20)
            var hold = min(self.maxHold, self.firstHold * (1 << exponent))
            if let retryAfter = failure.retryAfter { hold = max(hold, retryAfter) }
            self.held = (failure, self.clock.now() + hold.nanoseconds)
        }
        return self.answer(result)
    }

    /// A fetch's result for a caller: a failed refetch still answers with the cached token while it
    /// has not expired.
    private func answer(_ result: Result<FetchedToken, AttemptFailure>) -> Result<AccessToken, AttemptFailure> {
        switch result {
        case .success(let fetched):
            return .success(fetched.token)
        case .failure(let failure):
            if let cached = self.cached, self.clock.now() < cached.token.expiresAt { return .success(cached.token) }
            return .failure(failure)
        }
    }
}
