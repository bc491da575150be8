import Synchronization

/// Starts `count` callers as tasks of their own and waits until each has run `body`: Swift's form of the Go
/// anchor's goroutines behind a `sync.WaitGroup`.
///
/// Why not a task group: on this toolchain (6.3.1) a task group keeps its children in a singly linked list and
/// removes a finished child by walking the list from its oldest child. Single-flight finishes its callers out of
/// order (those that come after the refresh return at once, those that came before are still waiting), so
/// each early finisher walked past thousands of waiting callers: with the refresh done before the last caller
/// was started, `TaskGroup::removeChildTask` took 48% of the run's CPU (perf), and 10,000 tasks awaiting
/// continuations took 51-60 ms in a discarding group against 17-19 ms as tasks of their own.
///
/// - Parameter immediate: Starts each caller with `Task.immediate` (SE-0472): it runs on the spawning thread
///   until its first suspension, as a goroutine that runs at once; otherwise with `Task {}` (queued to the
///   global executor first).
public func runCallers(count: Int, immediate: Bool, _ body: @escaping @Sendable () async -> Void) async {
    let latch = Latch(count: count)
    await withUnsafeContinuation { (done: UnsafeContinuation<Void, Never>) in
        latch.wait(done)
        for _ in 0..<count {
            if immediate {
                Task.immediate {
                    await body()
                    latch.countDown()
                }
            } else {
                Task {
                    await body()
                    latch.countDown()
                }
            }
        }
    }
}

/// A count of callers still running, and the one waiting for all of them (Go's `sync.WaitGroup`).
public final class Latch: Sendable {
    private let remaining: Atomic<Int>
    private let waiter = Mutex<UnsafeContinuation<Void, Never>?>(nil)

    public init(count: Int) { self.remaining = Atomic(count) }

    /// Sets the continuation resumed when the count reaches zero; called before any caller starts.
    public func wait(_ continuation: UnsafeContinuation<Void, Never>) {
        self.waiter.withLock { $0 = continuation }
    }

    public func countDown() {
        guard self.remaining.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 else { return }
        self.waiter.withLock { $0.take() }?.resume()
    }
}
