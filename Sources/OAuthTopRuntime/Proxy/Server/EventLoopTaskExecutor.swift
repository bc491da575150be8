import NIOCore

/// A Swift concurrency `TaskExecutor` that runs its jobs on one NIO event loop.
///
/// A task that prefers it (`withTaskExecutorPreference`) runs on the loop of the channel it serves, and so
/// do the tasks it awaits that have no executor of their own: resuming it from that loop costs no thread
/// switch. SwiftNIO 2.101 offers loops as `SerialExecutor`s only, not as task executors.
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        self.eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
