// The hot path: a token from this thread's cache, without lock, I/O or allocation.

import Primitives

extension ProviderSession {
    /// The current token if it is outside the mandatory window: no I/O, no lock, no allocation
    /// (but the first call on a thread for each new token, which copies it for that thread).
    @inline(__always)
    func cachedToken(now: Int64) -> AccessToken? {
        ThreadTokenCache.withCurrent(key: self.cacheKey) { cache in
            let generation = self.generation.load(ordering: .acquiring)
            if let token = cache.token(slot: self.slot, generation: generation, now: now) { return token }
            return self.refillThreadCache(cache, now: now)
        }
    }

    /// The token in this thread's cache if it is current and outside the mandatory window; `nil` otherwise (the
    /// async slow path then decides under one lock: ``token(now:)``).
    @inline(__always)
    func threadCachedToken(now: Int64) -> AccessToken? {
        ThreadTokenCache.withCurrent(key: self.cacheKey) { cache in
            cache.token(slot: self.slot, generation: self.generation.load(ordering: .acquiring), now: now)
        }
    }

    /// Copies the current token into this thread's cache, if it is outside the mandatory window.
    func refillThreadCache(_ cache: ThreadTokenCache, now: Int64) -> AccessToken? {
        let entry = self.state.withLock { state -> ThreadTokenCache.Entry? in
            guard let token = state.token, now < token.windows.mandatoryAt else { return nil }
            if !token.handedOut { state.token?.handedOut = true }
            return ThreadTokenCache.Entry(
                generation: self.generation.load(ordering: .relaxed), mandatoryAt: token.windows.mandatoryAt,
                token: token.access.withOwnStorage()
            )
        }
        guard let entry else { return nil }
        cache.store(entry, slot: self.slot)
        return entry.token
    }

    /// Replaces the token; call with the state lock held.
    func setToken(_ token: CachedToken?, in state: inout SessionState) {
        state.token = token
        self.generation.add(1, ordering: .releasing)
    }
}
