import NIOCore

/// A task executor that runs jobs on one NIO event loop: a task that prefers it writes its commands and
/// resumes after their replies on the connection's own thread, with no hop between threads.
///
/// Measured by Benchmarks/redis-compare: a lock grant took 2.4x redis-benchmark's raw `SET NX` round trip
/// from a task on Swift's global pool (a hop to the event loop for the write, another back for the reply),
/// and 1.05x from a task on this executor. Only short, non-blocking work belongs on it: it shares the
/// thread with every connection of the loop. The API proxy's connection tasks use it too (one implementation,
/// in the lowest target that needs it).
public final class EventLoopTaskExecutor: TaskExecutor {
    /// Where the jobs run.
    public let eventLoop: any EventLoop

    public init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        self.eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
