import Foundation

/// A task executor with a thread of its own: the jobs of tasks that prefer it run there, in order,
/// and never wait behind the global pool's queue.
///
/// The token manager runs its refresh rounds here. Callers that find no valid token wait for the
/// round, and there may be thousands of them: on the global pool the round's own steps (its start,
/// the resumption after the token endpoint answers) were queued behind every one of those callers,
/// so the callers waited longer the more of them there were (Benchmarks/, the single-flight run).
/// A round spends its time waiting for I/O, so one thread serves every provider's rounds.
public final class ThreadExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked: `jobs` is read and written only with `condition` locked; `name` is immutable.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    /// The thread's name (seen in `top -H`, debuggers and profiles).
    public let name: String

    /// Starts the thread; it lives as long as the process (executors are meant to be shared).
    public init(name: String) {
        self.name = name
        let thread = Thread { [self] in self.runLoop() }
        thread.name = name
        thread.start()
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        self.condition.lock()
        self.jobs.append(unowned)
        self.condition.signal()
        self.condition.unlock()
    }

    private func runLoop() {
        var batch: [UnownedJob] = []
        while true {
            self.condition.lock()
            while self.jobs.isEmpty { self.condition.wait() }
            swap(&batch, &self.jobs)
            self.condition.unlock()
            for job in batch { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
            batch.removeAll(keepingCapacity: true)
        }
    }
}
