import Foundation
import Primitives

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Runs a program with its output in a file, through ``SpawnedChild`` (posix_spawn).
///
/// Not Foundation's `Process`: it passes on the spawning thread's signal mask (a Swift pool thread
/// blocks SIGTERM, SIGHUP, SIGCHLD, ...), which a tmux server then keeps, so it never reaps its
/// panes and ignores `kill-server`. A ``SpawnedChild`` starts with an empty mask and default actions.
public enum Subprocess {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Runs `executable` with `arguments` and `environment`, its output going to `outputFile`.
    ///
    /// - Parameters:
    ///   - directory: Its working directory (default: ours).
    ///   - inputFile: A file for its standard input (default: `/dev/null`).
    /// - Returns: The exit status (128 + signal number when a signal ended it).
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String], outputFile: String,
        directory: String? = nil, inputFile: String? = nil
    ) throws -> Int32 {
        let pid = try self.spawn(
            executable, arguments, environment: environment, outputFile: outputFile, directory: directory,
            inputFile: inputFile
        )
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
        append: Bool = false, directory: String? = nil, inputFile: String? = nil
    ) throws -> pid_t {
        let descriptor = open(outputFile, O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC), 0o600)
        guard descriptor >= 0 else { throw Failure(description: "cannot open \(outputFile): errno \(errno)") }
        defer { close(descriptor) }
        let input = inputFile.map { open($0, O_RDONLY | O_CLOEXEC) }
        defer { if let input, input >= 0 { close(input) } }
        if let inputFile, let input, input < 0 { throw Failure(description: "cannot open \(inputFile): errno \(errno)") }
        var options = SpawnedChild.Options()
        options.directory = directory
        options.stdin = input.map { .descriptor($0) } ?? .devNull
        options.stdout = .descriptor(descriptor)
        options.stderr = .descriptor(descriptor)
        // Every signal back to its default action, as the servers a test starts expect.
        options.defaultSignals = Array(1..<32)
        do {
            return try SpawnedChild.spawn([executable] + arguments, environment: environment, options: options).pid
        } catch {
            throw Failure(description: "posix_spawn \(executable) failed: \(error.reason)")
        }
    }
}
