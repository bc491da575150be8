import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A command `oauthtop exec` started with `posix_spawnp`: stdin, stdout and stderr inherited (so they
/// pass through untouched), the forwarded signals back at their default disposition and none blocked.
///
/// Signals are sent only while the process has not been reaped: the exit is first observed with
/// `waitid(WNOWAIT)`, signalling is closed, and only then is the process reaped, so a forwarded
/// signal can never reach another process that reused the pid.
final class SpawnedProcess: Sendable {
    let pid: pid_t
    /// Set once the exit was observed (before reaping).
    private let exited = Mutex(false)

    private init(pid: pid_t) { self.pid = pid }

    /// Starts `arguments[0]` (looked up on `PATH`) with `arguments` and `environment`.
    ///
    /// - Throws: ``ExecError`` for a command not found (127) or not executable (126).
    static func spawn(_ arguments: [String], environment: [String: String]) throws(ExecError) -> SpawnedProcess {
        guard let command = arguments.first else { throw .usage("no command given") }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in SignalForwarder.forwarded + [SIGPIPE] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        Self.closeInheritedDescriptors(&actions)
        var pid: pid_t = 0
        // Both arrays hold at least their terminating nil, so their base addresses exist.
        let result = argv.withUnsafeBufferPointer { argvBuffer in
            envp.withUnsafeBufferPointer { envpBuffer -> Int32 in
                guard let argvBase = argvBuffer.baseAddress, let envpBase = envpBuffer.baseAddress else {
                    return EINVAL
                }
                return posix_spawnp(&pid, command, &actions, &attributes, argvBase, envpBase)
            }
        }
        switch result {
        case 0:
            return SpawnedProcess(pid: pid)
        case ENOENT:
            throw .commandNotFound(command)
        default:
            throw .notExecutable(command, reason: String(cString: strerror(result)))
        }
    }

    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), which Swift's Glibc module does not
    /// show: looked up once by name.
    private static let closeFrom: CloseFrom? = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np")
        .map { unsafeBitCast($0, to: CloseFrom.self) }

    /// Makes the command start with stdin, stdout and stderr only: descriptors oauthtop holds without
    /// close-on-exec (a token endpoint's connection, a listener) must not leak into it, nor keep a
    /// connection open after oauthtop closed it. Where glibc lacks the call, they are inherited.
    private static func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
        if let closeFrom = Self.closeFrom { _ = closeFrom(&actions, 3) }
    }

    /// Sends `signal` unless the process has exited.
    func send(_ signal: Int32) {
        self.exited.withLock { exited in
            if !exited { kill(self.pid, signal) }
        }
    }

    /// Waits (on a thread of its own, not the cooperative pool) until the process ends, reaps it, and
    /// returns its status as a shell reports it: the exit code, or 128 + the signal that killed it.
    func waitForExit() async -> Int32 {
        await withCheckedContinuation { (continuation: CheckedContinuation<Int32, Never>) in
            let thread = Thread { [self] in continuation.resume(returning: self.blockingWait()) }
            thread.name = "oauthtop-exec-wait"
            thread.start()
        }
    }

    private func blockingWait() -> Int32 {
        var info = siginfo_t()
        while waitid(P_PID, id_t(self.pid), &info, WEXITED | WNOWAIT) != 0, errno == EINTR {}
        self.exited.withLock { $0 = true }
        var status: Int32 = 0
        while waitpid(self.pid, &status, 0) < 0, errno == EINTR {}
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }
}
