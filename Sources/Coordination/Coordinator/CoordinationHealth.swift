import Synchronization
import TokenManager

/// Whether each provider's fleet state can be used, and who was last seen holding its lock.
///
/// Why it exists: `coordination_down` is said once per outage, not on every round, and
/// `coordination_up` only after a down; the dashboard reads the holder without I/O.
final class CoordinationHealth: Sendable {
    private struct Provider {
        /// `nil` until the first round; then whether the last call to the store worked.
        var up: Bool?
        var holder: LockHolder?
    }

    private let providers = Mutex<[String: Provider]>([:])

    /// Records a working call.
    ///
    /// - Returns: Whether the provider was down before (say `coordination_up`), and whether this is its
    ///   first report (set the gauge).
    func markUp(_ provider: String) -> (recovered: Bool, changed: Bool) {
        self.providers.withLock { providers in
            let before = providers[provider]?.up
            providers[provider, default: Provider()].up = true
            return (before == false, before != true)
        }
    }

    /// Records a failure.
    ///
    /// - Returns: Whether it is news (say `coordination_down` once).
    func markDown(_ provider: String) -> Bool {
        self.providers.withLock { providers in
            let before = providers[provider]?.up
            providers[provider, default: Provider()].up = false
            return before != false
        }
    }

    func setHolder(_ holder: LockHolder?, for provider: String) {
        self.providers.withLock { $0[provider, default: Provider()].holder = holder }
    }

    func holder(_ provider: String) -> LockHolder? {
        self.providers.withLock { $0[provider]?.holder }
    }
}
