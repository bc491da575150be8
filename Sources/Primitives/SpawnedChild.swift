import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A child process started with `posix_spawn`: the one way oauthtop starts programs (`exec`'s command,
/// approval commands, command notifiers).
///
/// Not Foundation's `Process`: the child gets an empty signal mask and default actions for the signals
/// named in ``Options/defaultSignals`` (a Swift pool thread blocks SIGTERM, SIGHUP, ..., and a child
/// would keep that mask), and no descriptor of ours beyond 0, 1 and 2 (a token endpoint's connection or
/// a listener must not leak into it).
///
/// Signals are sent only while the child has not been reaped: its exit is first observed with
/// `waitid(WNOWAIT)`, signalling is closed, and only then is it reaped, so a signal can never reach
/// another process that reused the pid.
public final class SpawnedChild: Sendable {
    /// How the child is started.
    public struct Options: Sendable {
        /// What one of the child's standard descriptors is.
        public enum Standard: Sendable {
            /// Ours, shared.
            case inherit
            /// `/dev/null`.
            case devNull
            /// This descriptor of ours (duplicated onto the child's; ours stays open).
            case descriptor(Int32)
        }

        /// Whether `argv[0]` is looked up on the environment's `PATH` (`posix_spawnp`); otherwise it must be
        /// an absolute path.
        public var searchPath = false
        public var stdin = Standard.inherit
        public var stdout = Standard.inherit
        public var stderr = Standard.inherit
        /// Whether the child leads a process group of its own; ``SpawnedChild/signal(_:)`` then reaches
        /// everything it started.
        public var ownProcessGroup = false
        /// The child's working directory; `nil`: ours.
        public var directory: String?
        /// Signals set back to their default action in the child.
        public var defaultSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGCHLD, SIGALRM, SIGUSR1, SIGUSR2]

        public init() {}
    }

    /// How the child ended.
    public enum Termination: Sendable, Hashable {
        case exited(Int32)
        case signalled(Int32)

        /// As a shell reports it: the exit code, or 128 + the signal.
        public var shellStatus: Int32 {
            switch self {
            case .exited(let code): code
            case .signalled(let signal): 128 + signal
            }
        }
    }

    /// Why the child could not be started; never contains an argument or the environment.
    public struct SpawnError: Error, Sendable, CustomStringConvertible {
        /// The program as given (`argv[0]`).
        public var program: String
        /// `ENOENT` and friends: the program does not exist (a shell's 127); otherwise it exists but could not
        /// be run (126).
        public var notFound: Bool
        /// `no such file`, `permission denied`, ...
        public var reason: String

        public var description: String { "cannot start '\(self.program)': \(self.reason)" }
    }

    public let pid: pid_t
    private let group: Bool
    /// Set once the exit was observed (before reaping).
    private let exited = Mutex(false)

    private init(pid: pid_t, group: Bool) {
        self.pid = pid
        self.group = group
    }

    /// Starts `argv[0]` with `argv` and exactly `environment` (nothing of ours is inherited).
    ///
    /// - Throws: ``SpawnError`` when it could not be started.
    public static func spawn(
        _ argv: [String],
        environment: [String: String],
        options: Options = Options()
    ) throws(SpawnError) -> SpawnedChild {
        guard let program = argv.first, !program.isEmpty else {
            throw SpawnError(program: "", notFound: true, reason: "no command given")
        }
        guard options.searchPath || program.hasPrefix("/") else {
            throw SpawnError(program: program, notFound: true, reason: "the program must be an absolute path")
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in options.defaultSignals { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        var flags = POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK
        if options.ownProcessGroup {
            posix_spawnattr_setpgroup(&attributes, 0)
            flags |= POSIX_SPAWN_SETPGROUP
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (target, standard) in [(Int32(0), options.stdin), (1, options.stdout), (2, options.stderr)] {
            switch standard {
            case .inherit: break
            case .devNull: posix_spawn_file_actions_addopen(&actions, target, "/dev/null", target == 0 ? O_RDONLY : O_WRONLY, 0)
            case .descriptor(let descriptor): posix_spawn_file_actions_adddup2(&actions, descriptor, target)
            }
        }
        if let closeFrom = Self.closeFrom { _ = closeFrom(&actions, 3) }
        if let directory = options.directory {
            guard let changeDirectory = Self.changeDirectory else {
                throw SpawnError(program: program, notFound: false, reason: "this C library cannot start a child in a directory")
            }
            _ = changeDirectory(&actions, directory)
        }

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
                return options.searchPath
                    ? posix_spawnp(&pid, program, &actions, &attributes, argvBase, envpBase)
                    : posix_spawn(&pid, program, &actions, &attributes, argvBase, envpBase)
            }
        }
        guard result == 0 else {
            throw SpawnError(
                program: program, notFound: result == ENOENT || result == ENOTDIR,
                reason: result == ENOENT ? "no such file" : String(cString: strerror(result))
            )
        }
        return SpawnedChild(pid: pid, group: options.ownProcessGroup)
    }

    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), which Swift's Glibc module does not
    /// show: looked up once by name. Where glibc lacks it, descriptors without close-on-exec are inherited.
    private static let closeFrom: CloseFrom? = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np")
        .map { unsafeBitCast($0, to: CloseFrom.self) }

    private typealias ChangeDirectory = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32

    /// glibc's `posix_spawn_file_actions_addchdir_np` (2.29+), looked up as `closeFrom` is.
    private static let changeDirectory: ChangeDirectory? = dlsym(nil, "posix_spawn_file_actions_addchdir_np")
        .map { unsafeBitCast($0, to: ChangeDirectory.self) }

    /// Sends `signal` to the child (to its whole process group when it leads one), unless it has exited.
    public func signal(_ signal: Int32) {
        self.exited.withLock { exited in
            if !exited { _ = kill(self.group ? -self.pid : self.pid, signal) }
        }
    }

    /// Whether the child has ended (it is not reaped: ``waitForExit()`` still gives its status).
    public var hasExited: Bool {
        self.exited.withLock { exited in
            if exited { return true }
            var info = siginfo_t()
            // WNOHANG: a child still running leaves `info`'s pid 0.
            guard waitid(P_PID, id_t(self.pid), &info, WEXITED | WNOWAIT | WNOHANG) == 0 else { return false }
            exited = info._sifields._sigchld.si_pid == self.pid
            return exited
        }
    }

    /// Waits (on a thread of its own, not the cooperative pool) until the child ends, and reaps it.
    public func waitForExit() async -> Termination {
        await withCheckedContinuation { (continuation: CheckedContinuation<Termination, Never>) in
            let thread = Thread { [self] in continuation.resume(returning: self.blockingWait()) }
            thread.name = "oauthtop-child-wait"
            thread.start()
        }
    }

    private func blockingWait() -> Termination {
        var info = siginfo_t()
        while waitid(P_PID, id_t(self.pid), &info, WEXITED | WNOWAIT) != 0, errno == EINTR {}
        self.exited.withLock { $0 = true }
        var status: Int32 = 0
        while waitpid(self.pid, &status, 0) < 0, errno == EINTR {}
        let signal = status & 0x7f
        return signal == 0 ? .exited((status >> 8) & 0xff) : .signalled(signal)
    }
}
