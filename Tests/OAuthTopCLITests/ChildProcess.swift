import Foundation
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
    private let process: Process
    private let output = OutputBuffer()

    /// The child's process id.
    var pid: Int32 { self.process.processIdentifier }

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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        if let directory { process.currentDirectoryURL = directory }
        process.standardInput = stdin ?? FileHandle.nullDevice
        let stdoutPipe = Pipe()
        let stderrPipe = Pipe()
        process.standardOutput = stdoutPipe
        process.standardError = stderrPipe
        self.process = process
        let output = self.output
        stdoutPipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty {
                handle.readabilityHandler = nil
                output.withLock { $0.stdoutClosed = true }
            } else {
                output.withLock { $0.stdout += data }
            }
        }
        stderrPipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty {
                handle.readabilityHandler = nil
                output.withLock { $0.stderrClosed = true }
            } else {
                output.withLock { $0.stderr += data }
            }
        }
        try process.run()
        // The parent's copies of the write ends must close, or the readers never see end of file.
        try stdoutPipe.fileHandleForWriting.close()
        try stderrPipe.fileHandleForWriting.close()
    }

    /// Starts the binary, runs `body` with it, and kills it afterwards if it still runs, even when `body` throws.
    static func with<T: Sendable>(
        _ arguments: [String],
        environment: [String: String],
        directory: URL? = nil,
        _ body: (ChildProcess) async throws -> T
    ) async throws -> T {
        let child = try ChildProcess(
            executable: nil, arguments: arguments, environment: environment, directory: directory, stdin: nil
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

    var isRunning: Bool { self.process.isRunning }

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
                    "\(self.commandLine) exited (status \(self.process.terminationStatus))"
                        + " before printing a '\(name)' event; events: \(try self.eventNames()); stderr: \(self.stderrTail)"
                )
            }
            if ContinuousClock.now >= deadline {
                throw CLITestFailure(
                    "no '\(name)' event within \(timeout); events so far: \(try self.eventNames()); stderr: \(self.stderrTail)"
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
                    "\(self.commandLine) still running (or its pipes open) after \(timeout);"
                        + " stderr: \(self.stderrTail)"
                )
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        guard self.process.terminationReason == .exit else {
            throw CLITestFailure(
                "\(self.commandLine) was killed by signal \(self.process.terminationStatus);"
                    + " stderr: \(self.stderrTail)"
            )
        }
        return self.process.terminationStatus
    }

    /// Sends SIGTERM, as a service manager would to stop the daemon.
    func terminate() {
        if self.isRunning { kill(self.pid, SIGTERM) }
    }

    /// Kills the child with SIGKILL if it still runs and waits (bounded) until it is gone.
    func stop() async {
        guard self.isRunning else { return }
        kill(self.pid, SIGKILL)
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
        if self.process.isRunning { kill(self.process.processIdentifier, SIGKILL) }
    }
}
