import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Runs a program to completion with `posix_spawn` and `waitpid`.
///
/// Not Foundation's `Process`: it passes on the spawning thread's signal mask (a Swift pool thread
/// blocks SIGTERM, SIGHUP, SIGCHLD, ...), which a tmux server then keeps, so it never reaps its
/// panes and ignores `kill-server`. Here the child starts with an empty mask and default actions.
public enum Subprocess {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Runs `executable` with `arguments` and `environment`, its output going to `outputFile`.
    ///
    /// - Returns: The exit status (128 + signal number when a signal ended it).
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String], outputFile: String)
        throws -> Int32
    {
        let pid = try self.spawn(executable, arguments, environment: environment, outputFile: outputFile)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw Failure(description: "waitpid \(pid) failed: errno \(errno)") }
        }
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
    }

    /// Starts `executable` like ``run(_:_:environment:outputFile:)`` but returns at once, for servers a
    /// test stops itself (with a signal the child does not block, then `waitpid`).
    ///
    /// - Parameter append: Whether `outputFile` is appended to rather than truncated (a restarted server
    ///   keeps one log).
    /// - Returns: The child's process id; the caller must reap it with `waitpid`.
    public static func spawn(
        _ executable: String, _ arguments: [String], environment: [String: String], outputFile: String,
        append: Bool = false
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        let mode = O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC)
        posix_spawn_file_actions_addopen(&actions, 1, outputFile, mode, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard spawned == 0 else {
            throw Failure(description: "posix_spawn \(executable) failed: \(String(cString: strerror(spawned)))")
        }
        return pid
    }
}
