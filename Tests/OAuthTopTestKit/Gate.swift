import Synchronization

/// Holds callers of ``wait()`` until ``open()``; once open, lets everyone through.
///
/// Tests use it to hold a request, a delivery or a refresh in flight at a known point.
public final class Gate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    public init() {}

    /// Waits until the gate is open.
    public func wait() async {
        await withCheckedContinuation { continuation in
            let resume = self.state.withLock { state -> Bool in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if resume { continuation.resume() }
        }
    }

    /// The number of callers waiting.
    public var waiting: Int { self.state.withLock { $0.waiters.count } }

    /// Opens the gate: every waiter and every later caller goes on.
    public func open() {
        let waiters = self.state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
