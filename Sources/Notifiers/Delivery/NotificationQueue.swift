import Synchronization

/// A bounded first-in-first-out buffer of alerts for one notifier, with one consumer.
///
/// `push` never waits: when the buffer is full the oldest alerts make room. `take` suspends the
/// consumer until there is something to take, the queue is closed, or its task is cancelled.
final class NotificationQueue: Sendable {
    private struct State {
        var buffer: [AlertNotification] = []
        var waiter: CheckedContinuation<Void, Never>?
        var closed = false
        var cancelled = false
    }

    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// The number of alerts waiting.
    var count: Int { self.state.withLock { $0.buffer.count } }

    /// Appends `items`, dropping the oldest beyond capacity.
    ///
    /// - Returns: How many alerts were dropped, and the length afterwards.
    func push(_ items: [AlertNotification]) -> (dropped: Int, length: Int) {
        guard !items.isEmpty else { return (0, self.count) }
        let (dropped, length, waiter) = self.state.withLock { state in
            state.buffer.append(contentsOf: items)
            let excess = max(0, state.buffer.count - self.capacity)
            if excess > 0 { state.buffer.removeFirst(excess) }
            let waiter = state.waiter
            state.waiter = nil
            return (excess, state.buffer.count, waiter)
        }
        waiter?.resume()
        return (dropped, length)
    }

    /// Stops accepting the wait: `take` returns what is left, then `nil`.
    func close() {
        let waiter = self.state.withLock { state in
            state.closed = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Takes up to `limit` of the oldest alerts, waiting for some.
    ///
    /// - Returns: `nil` once the queue is closed and empty, or the task is cancelled.
    func take(limit: Int) async -> [AlertNotification]? {
        await withTaskCancellationHandler {
            while true {
                enum Step { case items([AlertNotification]), finished, wait }
                let step = self.state.withLock { state -> Step in
                    if state.cancelled { return .finished }
                    if !state.buffer.isEmpty {
                        let batch = Array(state.buffer.prefix(max(1, limit)))
                        state.buffer.removeFirst(batch.count)
                        return .items(batch)
                    }
                    return state.closed ? .finished : .wait
                }
                switch step {
                case .items(let batch): return batch
                case .finished: return nil
                case .wait:
                    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                        let resumeNow = self.state.withLock { state -> Bool in
                            if state.cancelled || state.closed || !state.buffer.isEmpty { return true }
                            state.waiter = continuation
                            return false
                        }
                        if resumeNow { continuation.resume() }
                    }
                }
            }
        } onCancel: {
            let waiter = self.state.withLock { state in
                state.cancelled = true
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
    }
}
