import Foundation

/// A task executor with a thread of its own: the jobs of tasks that prefer it run there, in order,
/// and never wait behind the global pool's queue.
///
/// The benchmarks put each hot-path caller on a thread of its own with it (the benchmark runner's pool
/// does not always give two tasks two threads), and the demo identity provider of the hot-path fixture, which
/// stands for a remote server, on another. The token manager ran its refresh rounds on one until 2026-12-07
/// (they now run at high priority on the global pool: ProviderSession.launch says why).
final class ThreadExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked: `jobs` is read and written only with `condition` locked; `name` is immutable.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    /// The thread's name (seen in `top -H`, debuggers and profiles).
    let name: String

    /// Starts the thread; it lives as long as the process (executors are meant to be shared).
    init(name: String) {
        self.name = name
        let thread = Thread { [self] in self.runLoop() }
        thread.name = name
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
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
