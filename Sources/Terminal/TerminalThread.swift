import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The one thread that makes every ncurses call: the serial executor of ``TerminalScreen``.
///
/// ncurses is not thread-safe, and reading a key blocks in `wget_wch` for up to the timeout. On
/// the default actor executor that wait would hold one of Swift's cooperative threads (there are
/// as many as cores: two on the machines this runs on) for a second out of every second. A thread
/// of our own keeps all ncurses calls on one thread and the blocking off the shared pool.
final class TerminalThread: SerialExecutor, Sendable {
    /// The process has one terminal, so one thread; it lives as long as the process.
    static let shared = TerminalThread()

    private let jobs = Mutex<[UnownedJob]>([])
    /// Counts queued jobs; the thread sleeps on it while there are none.
    private let pending = DispatchSemaphore(value: 0)

    private init() {
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let created = pthread_create(
            &thread,
            nil,
            { raw in
                guard let raw else { return nil }
                Unmanaged<TerminalThread>.fromOpaque(raw).takeRetainedValue().runJobs()
            },
            context
        )
        precondition(created == 0, "TerminalThread: pthread_create failed with error \(created)")
        pthread_detach(thread)
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        self.jobs.withLock { $0.append(job) }
        self.pending.signal()
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    private func runJobs() -> Never {
        let executor = self.asUnownedSerialExecutor()
        while true {
            self.pending.wait()
            let next = self.jobs.withLock { $0.isEmpty ? nil : $0.removeFirst() }
            next?.runSynchronously(on: executor)
        }
    }
}
