import Foundation
import Primitives
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A running child process whose stdout and stderr are read incrementally through pipes.
///
/// Every wait polls with a deadline. ``stop()`` (called by ``ChildProcess/with(_:environment:directory:_:)``
/// whatever the body does) kills the child if it still runs, so no test leaves one behind.
final class ChildProcess: Sendable {
    /// What has been read so far.
    private struct Output {
        var stdout: [UInt8] = []
        var stderr: [UInt8] = []
        var stdoutClosed = false
        var stderrClosed = false
    }

    /// The output, shared with the pipes' readability handlers (which must not retain the child).
    private final class OutputBuffer: Sendable {
        let state = Mutex(Output())

        func withLock<T>(_ body: (inout Output) -> T) -> T { self.state.withLock { body(&$0) } }
    }

    let executable: String
    let arguments: [String]
    /// Started with posix_spawn (Primitives' `SpawnedChild`, as oauthtop starts its own children): Foundation's
    /// `Process.run()` crashed once in CI (a bad pointer in its memmove) with many tests spawning at once.
    private let child: SpawnedChild
    /// How the child ended, once a waiting thread reaped it (a box of its own: the waiting task may outlive this).
    private let termination = TerminationBox()

    private final class TerminationBox: Sendable {
        let state = Mutex<SpawnedChild.Termination?>(nil)

        func withLock<T>(_ body: (inout SpawnedChild.Termination?) -> T) -> T { self.state.withLock { body(&$0) } }
    }
    private let output: OutputBuffer
    /// The pipes' read ends, kept open while the reader threads use their descriptors.
    private let readers: [FileHandle]

    /// The child's process id.
    var pid: Int32 { self.child.pid }

    /// Starts `executable` (by default the oauthtop binary) with `arguments`, an explicit environment,
    /// a working directory and optional stdin.
    private init(
        executable: String?,
        arguments: [String],
        environment: [String: String],
        directory: URL?,
        stdin: FileHandle?
    ) throws {
        let executable = try executable ?? CLIBinary.located()
        self.executable = executable
        self.arguments = arguments
        let output = OutputBuffer()
        self.output = output
        var options = SpawnedChild.Options()
        options.directory = directory?.path
        options.stdin = stdin.map { .descriptor($0.fileDescriptor) } ?? .devNull
        // The pipes are close-on-exec, so a child started concurrently by another test does not inherit this
        // one's write ends (posix_spawn's dup2 onto fd 1 and 2 clears the flag on this child's copies).
        let (child, readers) = try Self.spawnLock.withLock { _ in
            try Self.spawn([executable] + arguments, environment: environment, options: options, into: output)
        }
        self.child = child
        self.readers = readers
        let termination = self.termination
        Task.detached {
            let ended = await child.waitForExit()
            termination.withLock { $0 = ended }
        }
    }

    /// Serialises pipe creation and spawning (see `init`).
    private static let spawnLock = Mutex(())

    /// Starts `argv` with stdout and stderr on new pipes read into `output`; returns the child and the read ends.
    private static func spawn(
        _ argv: [String], environment: [String: String], options: SpawnedChild.Options, into output: OutputBuffer
    ) throws -> (SpawnedChild, [FileHandle]) {
        let (stdoutRead, stdoutWrite) = try Self.closeOnExecPipe()
        let (stderrRead, stderrWrite) = try Self.closeOnExecPipe()
        var options = options
        options.stdout = .descriptor(stdoutWrite.fileDescriptor)
        options.stderr = .descriptor(stderrWrite.fileDescriptor)
        let child: SpawnedChild
        do {
            child = try SpawnedChild.spawn(argv, environment: environment, options: options)
        } catch {
            throw CLITestFailure("\(error)")
        }
        // The parent's copies of the write ends must close, or the readers never see end of file.
        try stdoutWrite.close()
        try stderrWrite.close()
        Self.startReader(stdoutRead.fileDescriptor, output: output) {
            $0.stdout += $1
        } closed: {
            $0.stdoutClosed = true
        }
        Self.startReader(stderrRead.fileDescriptor, output: output) {
            $0.stderr += $1
        } closed: {
            $0.stderrClosed = true
        }
        return (child, [stdoutRead, stderrRead])
    }

    /// Reads `descriptor` on a thread of its own with blocking read(2) until end of file: simpler and
    /// more predictable than dispatch-based readability handlers.
    private static func startReader(
        _ descriptor: Int32,
        output: OutputBuffer,
        append: @escaping @Sendable (inout Output, [UInt8]) -> Void,
        closed: @escaping @Sendable (inout Output) -> Void
    ) {
        let thread = Thread {
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count > 0 {
                    let chunk = Array(buffer[..<count])
                    output.withLock { append(&$0, chunk) }
                } else if count < 0, errno == EINTR {
                    continue
                } else {
                    output.withLock { closed(&$0) }
                    return
                }
            }
        }
        thread.start()
    }

    /// A pipe whose both ends are close-on-exec, as (read, write) handles.
    private static func closeOnExecPipe() throws -> (FileHandle, FileHandle) {
        var fds: [Int32] = [-1, -1]
        let result = pipe(&fds)
        if result == 0 {
            _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
            _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        }
        guard result == 0 else { throw CLITestFailure("cannot create a pipe: errno \(errno)") }
        return (
            FileHandle(fileDescriptor: fds[0], closeOnDealloc: true),
            FileHandle(fileDescriptor: fds[1], closeOnDealloc: true)
        )
    }

    /// Starts the binary (or `executable`), runs `body` with it, and kills it afterwards if it still runs, even
    /// when `body` throws.
    static func with<T: Sendable>(
        executable: String? = nil,
        _ arguments: [String],
        environment: [String: String],
        directory: URL? = nil,
        _ body: (ChildProcess) async throws -> T
    ) async throws -> T {
        let child = try ChildProcess(
            executable: executable, arguments: arguments, environment: environment, directory: directory, stdin: nil
        )
        do {
            let result = try await body(child)
            await child.stop()
            return result
        } catch {
            await child.stop()
            throw error
        }
    }

    /// The whole result of a command that is expected to end by itself.
    struct Completed: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String

        var stdoutLines: [String] { self.stdout.split(separator: "\n").map(String.init) }
        /// Both streams, for checks that no secret appears anywhere.
        var combined: String { self.stdout + self.stderr }
    }

    /// Runs a command (by default oauthtop) to completion, killing it after `timeout`; returns its status and output.
    static func run(
        executable: String? = nil,
        _ arguments: [String],
        environment: [String: String],
        directory: URL? = nil,
        stdin: FileHandle? = nil,
        timeout: Duration = .seconds(60)
    ) async throws -> Completed {
        let child = try ChildProcess(
            executable: executable, arguments: arguments, environment: environment, directory: directory, stdin: stdin
        )
        do {
            let status = try await child.waitForExit(timeout: timeout)
            return Completed(status: status, stdout: child.stdoutText, stderr: child.stderrText)
        } catch {
            await child.stop()
            throw error
        }
    }

    /// Everything read from stdout so far.
    var stdoutText: String { String(decoding: self.output.withLock { $0.stdout }, as: UTF8.self) }
    /// Everything read from stderr so far.
    var stderrText: String { String(decoding: self.output.withLock { $0.stderr }, as: UTF8.self) }

    /// The complete (newline-terminated) stdout lines so far.
    var stdoutLines: [String] {
        let bytes = self.output.withLock { $0.stdout }
        guard let end = bytes.lastIndex(of: UInt8(ascii: "\n")) else { return [] }
        return String(decoding: bytes[..<end], as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .map(String.init)
    }

    /// The events (JSON lines) on stdout so far; a line that is not an event object throws.
    func events() throws -> [EventLine] {
        try self.stdoutLines.map { try EventLine(parsing: $0) }
    }

    var isRunning: Bool { self.termination.withLock { $0 == nil } }

    /// The exit status, or the signal for a child killed by one (0 while it runs).
    private var terminationStatus: Int32 {
        switch self.termination.withLock({ $0 }) {
        case .exited(let code): code
        case .signalled(let signal): signal
        case nil: 0
        }
    }

    /// Waits until an event named `name` (and matching `predicate`) has been printed.
    ///
    /// - Throws: When the deadline passes or the process ends first, with the events seen and stderr's tail.
    @discardableResult
    func waitForEvent(
        _ name: String,
        timeout: Duration,
        where predicate: (EventLine) -> Bool = { _ in true }
    ) async throws -> EventLine {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let found = try self.events().first(where: { $0.event == name && predicate($0) }) {
                return found
            }
            if !self.isRunning, self.output.withLock({ $0.stdoutClosed }) {
                if let found = try self.events().first(where: { $0.event == name && predicate($0) }) { return found }
                throw CLITestFailure(
                    "\(self.commandLine) exited (status \(self.terminationStatus))"
                        + " before printing a '\(name)' event; events: \(try self.eventNames());"
                        + " stderr: \(self.stderrTail)"
                )
            }
            if ContinuousClock.now >= deadline {
                throw CLITestFailure(
                    "no '\(name)' event within \(timeout); events so far: \(try self.eventNames());"
                        + " stderr: \(self.stderrTail)"
                )
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Waits for the process to exit and both pipes to reach end of file; returns the exit status.
    ///
    /// - Throws: When the deadline passes, or when the process was killed by a signal.
    func waitForExit(timeout: Duration) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while self.isRunning || !self.output.withLock({ $0.stdoutClosed && $0.stderrClosed }) {
            if ContinuousClock.now >= deadline {
                throw CLITestFailure(
                    "\(self.commandLine) not finished after \(timeout) (running: \(self.isRunning), "
                        + "stdout open: \(!self.output.withLock { $0.stdoutClosed }), "
                        + "stderr open: \(!self.output.withLock { $0.stderrClosed }), pid \(self.pid));"
                        + " stderr: \(self.stderrTail)"
                )
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        guard case .exited(let status) = self.termination.withLock({ $0 }) else {
            throw CLITestFailure(
                "\(self.commandLine) was killed by signal \(self.terminationStatus);"
                    + " stderr: \(self.stderrTail)"
            )
        }
        return status
    }

    /// Sends SIGTERM, as a service manager would to stop the daemon.
    func terminate() {
        self.child.signal(SIGTERM)
    }

    /// Sends `signal` (e.g. SIGHUP) if the child still runs.
    func send(_ signal: Int32) {
        self.child.signal(signal)
    }

    /// Kills the child with SIGKILL if it still runs and waits (bounded) until it is gone.
    func stop() async {
        guard self.isRunning else { return }
        self.child.signal(SIGKILL)
        let deadline = ContinuousClock.now + .seconds(10)
        while self.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    private var commandLine: String {
        ([(self.executable as NSString).lastPathComponent] + self.arguments).joined(separator: " ")
    }

    private func eventNames() throws -> String {
        try self.events().map(\.event).joined(separator: ",")
    }

    /// The last lines of stderr, for failure messages (stderr carries logs, which never hold a secret).
    private var stderrTail: String {
        self.stderrText.split(separator: "\n").suffix(10).joined(separator: "\n")
    }

    deinit {
        // Backstop: a child must never outlive its test.
        self.child.signal(SIGKILL)
    }
}
