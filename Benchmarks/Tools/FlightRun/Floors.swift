import Synchronization

/// Swift's floors of the single-flight run: what the callers' tasks cost without a token manager.
public enum Floors {
    /// `count` tasks (started with `Task.immediate` when `immediate`) each awaiting a continuation that one task
    /// resumes after `latency` (those arriving later find it done): the single-flight run's wait, without
    /// the manager and without a request.
    public static func continuations(count: Int, immediate: Bool, latency: Duration) async {
        let waiters = WaiterBox()
        let finisher = Task {
            try? await Task.sleep(for: latency)
            let list = waiters.state.withLock { state in
                state.done = true
                defer { state.list = [] }
                return state.list
            }
            for waiter in list { waiter.resume(returning: 1) }
        }
        await runCallers(count: count, immediate: immediate) {
            let value = await withUnsafeContinuation { (continuation: UnsafeContinuation<Int, Never>) in
                let now = waiters.state.withLock { state -> Bool in
                    if state.done { return true }
                    state.list.append(continuation)
                    return false
                }
                if now { continuation.resume(returning: 1) }
            }
            keep(value)
        }
        _ = await finisher.value
    }

    /// `count` tasks that do nothing: the cost of starting the callers and waiting for them.
    public static func spawn(count: Int, immediate: Bool) async {
        await runCallers(count: count, immediate: immediate) { keep(1) }
    }
}

/// The continuations one run's finisher resumes, and whether it has.
final class WaiterBox: Sendable {
    let state = Mutex<(done: Bool, list: [UnsafeContinuation<Int, Never>])>((false, []))
}

/// Keeps the optimiser from removing a value's computation (package-benchmark's `blackHole`, which this target
/// does not link).
@inline(never)
public func keep<T>(_ value: T) {}
