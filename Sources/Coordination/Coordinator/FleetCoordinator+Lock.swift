// The part of a round under the fleet lock: re-read, refresh with lease renewal, write back, publish,
// release.

import Synchronization
import TokenManager

extension FleetCoordinator {
    func holding(
        _ request: CoordinationRequest,
        keys: CoordinationKeys,
        fence: Fence,
        owner: LockOwner,
        refresh: @Sendable (CoordinationLease) async -> LocalRefreshResult
    ) async -> CoordinationOutcome {
        let provider = request.provider
        self.health.setHolder(owner.holder, for: provider)
        defer { self.health.setHolder(nil, for: provider) }
        // Under the lock, the state again: another process may have refreshed since the first read.
        let current: FleetToken?
        do {
            current = try await self.readToken(keys, provider: provider)
        } catch {
            await self.release(keys, owner: owner)
            self.down(provider, error)
            return .unavailable
        }
        if let current, current.generation > request.knownGeneration, request.accepts(current) {
            await self.release(keys, owner: owner)
            self.metrics(provider).fleet.increment()
            return .adopt(current, .newer)
        }
        let expected = current?.generation ?? 0
        // Past what this process knew, too: after the store lost the state (a restart without persistence)
        // the fleet's processes know a higher generation than the store, and would ignore a lower one.
        let (known, overflow) = request.knownGeneration.addingReportingOverflow(1)
        let lease = CoordinationLease(
            fence: fence.value, expectedGeneration: expected, nextGeneration: overflow ? nil : known,
            refreshToken: current?.refreshToken, instanceID: self.options.instanceID
        )
        let lost = LeaseLoss()
        let result = await withTaskGroup(of: Void.self, returning: LocalRefreshResult.self) { group in
            group.addTask { await self.keepRenewing(keys, owner: owner, fence: fence, lost: lost, provider: provider) }
            let result = await refresh(lease)
            group.cancelAll()
            return result
        }
        switch result {
        case .refreshed(var token):
            token.generation = lease.nextGeneration
            token.refreshedBy = self.options.instanceID
            let written = await self.writeBack(token, keys: keys, expected: expected, fence: fence, provider: provider)
            await self.release(keys, owner: owner)
            if written {
                self.metrics(provider).local.increment()
            } else if !lost.happened {
                self.lockLost(provider, fence: fence, detail: "the write-back was refused: a later grant exists")
            }
            return .refreshed(published: written)
        case .failed(let invalidGrant):
            var adopted: FleetToken?
            if invalidGrant {
                // Another process may have rotated the refresh token (a lease lost while this one was slow):
                // the shared state tells a rotation from a revoked grant.
                if let token = try? await self.readToken(keys, provider: provider), token.generation > expected,
                    request.accepts(token)
                {
                    adopted = token
                }
            }
            await self.release(keys, owner: owner)
            guard let adopted else { return .failed }
            self.metrics(provider).fleet.increment()
            return .adopt(adopted, .rotated)
        }
    }

    /// Seals, compare-and-sets and publishes; `false` when the store refused (or failed).
    private func writeBack(
        _ token: FleetToken,
        keys: CoordinationKeys,
        expected: UInt64,
        fence: Fence,
        provider: String
    ) async -> Bool {
        do {
            let sealed = try self.sealer.seal(token, provider: provider)
            guard try await self.store.compareAndSet(keys, expectedGeneration: expected, fence: fence, state: sealed)
            else { return false }
        } catch {
            self.down(provider, error)
            return false
        }
        do {
            try await self.store.publish(keys, generation: token.generation)
        } catch {
            // Waiters poll as well: a lost notification only delays them.
            self.logger.debug("fleet notification not published", metadata: ["provider": "\(provider)"])
        }
        return true
    }

    /// Compare-and-delete; a failure leaves the lock to expire with its lease.
    func release(_ keys: CoordinationKeys, owner: LockOwner) async {
        _ = try? await self.store.release(keys, owner: owner)
    }

    /// Renews the lease every third of it until cancelled; a refused renewal means the lease is lost.
    private func keepRenewing(
        _ keys: CoordinationKeys,
        owner: LockOwner,
        fence: Fence,
        lost: LeaseLoss,
        provider: String
    ) async {
        let interval = self.options.lease / 3
        while !Task.isCancelled {
            do {
                try await self.clock.sleep(for: interval)
            } catch {
                return
            }
            let renewed: Bool
            do {
                renewed = try await self.store.renew(keys, owner: owner, fence: fence, lease: self.options.lease)
            } catch {
                // The store may come back before the lease ends; the fence guards the write either way.
                continue
            }
            if !renewed {
                lost.record()
                self.lockLost(provider, fence: fence, detail: "the lease ran out before it was renewed")
                return
            }
        }
    }

    func lockLost(_ provider: String, fence: Fence, detail: String) {
        self.emit(.coordinationLockLost, provider: provider, severity: .warning, [
            ("fence", .int(Int64(clamping: fence.value))), ("detail", .string(detail)),
        ])
        self.logger.info("fleet lock lost", metadata: ["provider": "\(provider)", "fence": "\(fence)"])
    }
}

/// Whether the renewal found the lease lost, shared between the renewing task and the round.
final class LeaseLoss: Sendable {
    private let flag = Atomic<Bool>(false)
    func record() { self.flag.store(true, ordering: .releasing) }
    var happened: Bool { self.flag.load(ordering: .acquiring) }
}
