import Synchronization

/// Returns the result of whichever operation finishes first; the others keep running, unawaited.
///
/// For waits that cannot be cancelled (a refresh round on an unanswering endpoint, a service group's
/// drain) and must not hold `oauthtop exec` up: the process exits soon after anyway.
func firstOf<T: Sendable>(_ operations: [@Sendable () async -> T]) async -> T {
    await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
        let once = ResumeOnce()
        for operation in operations {
            Task {
                let value = await operation()
                if once.claim() { continuation.resume(returning: value) }
            }
        }
    }
}

/// Lets the first of several racers resume a continuation.
final class ResumeOnce: Sendable {
    private let claimed = Atomic(false)

    /// Whether this caller is the first.
    func claim() -> Bool {
        !self.claimed.exchange(true, ordering: .acquiringAndReleasing)
    }
}
