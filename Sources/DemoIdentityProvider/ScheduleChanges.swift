import Synchronization

/// Wakes the listeners when a fault is injected, so they need not poll the schedule: they sleep
/// until the next scheduled change or until this fires.
final class ScheduleChanges: Sendable {
    private let waiters = Mutex<[UnsafeContinuation<Void, Never>]>([])

    /// Wakes every current waiter.
    func signal() {
        let waiters = self.waiters.withLock { waiters in
            defer { waiters = [] }
            return waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns at the next ``signal()`` or when the task is cancelled.
    func wait() async {
        await withTaskCancellationHandler {
            await withUnsafeContinuation { continuation in
                let resume = self.waiters.withLock { waiters -> Bool in
                    if Task.isCancelled { return true }
                    waiters.append(continuation)
                    return false
                }
                if resume { continuation.resume() }
            }
        } onCancel: {
            // Wake everyone: the others simply look at the schedule again and wait anew.
            self.signal()
        }
    }
}
