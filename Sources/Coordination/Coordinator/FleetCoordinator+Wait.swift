// The mandatory window with another holder: wait for its result (notification or poll), bounded.

import Primitives
import TokenManager

extension FleetCoordinator {
    /// Waits up to ``Options/wait`` for the holder's new state, or for the lock to come free (the holder
    /// released without writing, or its lease ran out: it died) and takes it. When the bound passes with a
    /// live holder still renewing, the round is skipped: callers keep the current token while it lasts,
    /// and no second refresh burns the refresh token the holder is using.
    func waitForHolder(
        _ request: CoordinationRequest,
        keys: CoordinationKeys,
        askedAt: Int64
    ) async throws -> Decision {
        let deadline = askedAt + self.options.wait.nanoseconds
        let wake = WakeSignal()
        // Subscribed before the next look, so an announcement between the two is not missed.
        let updates = self.store.notifications(keys)
        return try await withThrowingTaskGroup(of: Void.self, returning: Decision.self) { group in
            group.addTask {
                for await _ in updates { wake.signal() }
            }
            defer { group.cancelAll() }
            while !Task.isCancelled {
                if let token = try await self.readToken(keys, provider: request.provider),
                    token.generation > request.knownGeneration, request.accepts(token)
                {
                    return .adopt(token, .waited)
                }
                let owner = self.owner()
                if let fence = try await self.store.acquire(keys, owner: owner, lease: self.options.lease) {
                    return .acquired(fence, owner)
                }
                let now = self.clock.now()
                if now >= deadline { break }
                let nextLook = min(now + self.options.pollInterval.nanoseconds, deadline)
                await wake.sleep(untilNanos: nextLook, clock: self.clock)
            }
            self.health.setHolder(try await self.store.holder(keys)?.holder, for: request.provider)
            return .skip(retryAt: self.clock.now() + self.options.deferRetry.nanoseconds)
        }
    }
}
