import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A program run to completion without a shell, with a time limit and the start of its output kept.
///
/// Started with `posix_spawn`, not Foundation's `Process`: the child gets an empty signal mask and
/// default signal actions (a Swift pool thread blocks SIGTERM, SIGHUP, ..., and a child would keep
/// that mask), stdin from `/dev/null`, stdout and stderr into an unlinked temporary file of which
/// the first ``outputLimit`` bytes are read back, no other descriptor of ours, and a process group
/// of its own, so that a time-out or a cancellation kills it with everything it started.
public enum ChildProcess {
    /// How much of the output is read back.
    public static let outputLimit = 4096

    /// How a run ended.
    public enum Outcome: Sendable, Hashable {
        /// It exited with this status.
        case exited(Int32)
        /// A signal (not ours) ended it.
        case signalled(Int32)
        /// It ran past the time limit and was killed (`SIGKILL` to its process group).
        case timedOut
        /// The caller's task was cancelled; it was killed.
        case cancelled
    }

    /// A run's end and the start of its output (stdout and stderr interleaved).
    public struct Result: Sendable, Hashable {
        public var outcome: Outcome
        public var output: [UInt8]
    }

    /// Why a program could not be started.
    public struct LaunchError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Runs `argv[0]` (an absolute path) with `argv` and exactly `environment`.
    ///
    /// - Parameters:
    ///   - argv: The program's absolute path, then its arguments.
    ///   - environment: The whole environment of the program (nothing of ours is inherited).
    ///   - timeout: How long it may run.
    ///   - sleep: Sleeps for a duration; the injected clock's, so tests control the time limit.
    /// - Returns: How it ended and the start of its output.
    /// - Throws: ``LaunchError`` when it could not be started (no such file, not executable).
    public static func run(
        _ argv: [String],
        environment: [String: String],
        timeout: Duration,
        sleep: @escaping @Sendable (Duration) async throws -> Void
    ) async throws(LaunchError) -> Result {
        guard let program = argv.first, program.hasPrefix("/") else {
            throw LaunchError(description: "the program must be an absolute path")
        }
        let output = try self.outputFile()
        defer { close(output) }
        let child = try self.spawn(program, argv, environment: environment, output: output)
        let outcome = await withTaskCancellationHandler {
            await withTaskGroup(of: Outcome?.self) { group in
                group.addTask { await child.waitForExit() }
                group.addTask {
                    do {
                        try await sleep(timeout)
                        return .timedOut
                    } catch {
                        return Task.isCancelled ? nil : .timedOut
                    }
                }
                var result: Outcome = .cancelled
                while let next = await group.next() {
                    guard let next else { continue }
                    result = next
                    break
                }
                if result == .timedOut {
                    child.terminate()
                    group.cancelAll()
                    _ = await group.next()  // the exit, now that it was killed
                } else {
                    group.cancelAll()
                }
                return result
            }
        } onCancel: {
            child.terminate()
        }
        var buffer = [UInt8](repeating: 0, count: self.outputLimit)
        let count = buffer.withUnsafeMutableBytes { pread(output, $0.baseAddress, $0.count, 0) }
        return Result(
            outcome: Task.isCancelled && outcome != .timedOut ? .cancelled : outcome,
            output: Array(buffer.prefix(max(0, count)))
        )
    }

    /// An unlinked temporary file, close-on-exec, for the child's output.
    private static func outputFile() throws(LaunchError) -> Int32 {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("oauthtop-child-XXXXXX").path
        var template = Array(path.utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { buffer -> Int32 in
            guard let base = buffer.baseAddress else { return -1 }
            return mkstemp(base)
        }
        guard descriptor >= 0 else {
            throw LaunchError(description: "cannot create a file for its output: \(String(cString: strerror(errno)))")
        }
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        template.withUnsafeBufferPointer { buffer in
            if let base = buffer.baseAddress { _ = unlink(base) }
        }
        return descriptor
    }

    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), which Swift's Glibc module does not
    /// show: looked up once by name.
    private static let closeFrom: CloseFrom? = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np")
        .map { unsafeBitCast($0, to: CloseFrom.self) }

    private static func spawn(
        _ program: String, _ argv: [String], environment: [String: String], output: Int32
    )
        throws(LaunchError) -> Child
    {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGCHLD, SIGALRM, SIGUSR1, SIGUSR2] {
            sigaddset(&defaults, signal)
        }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, output, 1)
        posix_spawn_file_actions_adddup2(&actions, output, 2)
        if let closeFrom = Self.closeFrom { _ = closeFrom(&actions, 3) }

        let arguments = argv.map { strdup($0) } + [nil]
        let variables = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in arguments { free(pointer) }
            for pointer in variables { free(pointer) }
        }
        var pid: pid_t = 0
        // Both arrays hold at least their terminating nil, so their base addresses exist.
        let result = arguments.withUnsafeBufferPointer { argvBuffer in
            variables.withUnsafeBufferPointer { envpBuffer -> Int32 in
                guard let argvBase = argvBuffer.baseAddress, let envpBase = envpBuffer.baseAddress else {
                    return EINVAL
                }
                return posix_spawn(&pid, program, &actions, &attributes, argvBase, envpBase)
            }
        }
        guard result == 0 else {
            let reason = result == ENOENT ? "no such file" : String(cString: strerror(result))
            throw LaunchError(description: "cannot start '\(program)': \(reason)")
        }
        return Child(pid: pid)
    }

    /// A started child: signalled only until it is reaped, so a signal never reaches a process that
    /// reused its pid (the exit is observed with `waitid(WNOWAIT)` first, then signalling is closed).
    private final class Child: Sendable {
        let pid: pid_t
        private let exited = Mutex(false)

        init(pid: pid_t) { self.pid = pid }

        /// `SIGKILL` to its process group, unless it has exited.
        func terminate() {
            self.exited.withLock { exited in
                if !exited { _ = kill(-self.pid, SIGKILL) }
            }
        }

        /// Waits on a thread of its own (not the cooperative pool) until it ends, and reaps it.
        func waitForExit() async -> Outcome {
            await withCheckedContinuation { (continuation: CheckedContinuation<Outcome, Never>) in
                let thread = Thread { [self] in continuation.resume(returning: self.blockingWait()) }
                thread.name = "oauthtop-child-wait"
                thread.start()
            }
        }

        private func blockingWait() -> Outcome {
            var info = siginfo_t()
            while waitid(P_PID, id_t(self.pid), &info, WEXITED | WNOWAIT) != 0, errno == EINTR {}
            self.exited.withLock { $0 = true }
            var status: Int32 = 0
            while waitpid(self.pid, &status, 0) < 0, errno == EINTR {}
            let signal = status & 0x7f
            return signal == 0 ? .exited((status >> 8) & 0xff) : .signalled(signal)
        }
    }
}
