import Foundation
import Primitives
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs a program for each alert with the alert as one JSON object on its standard input.
///
/// The program is started directly from `argv` (no shell, so no quoting surprises), its output is
/// discarded, and it must exit 0 within `timeout`; otherwise it is killed (`SIGKILL`) and the
/// attempt fails. The JSON is the same object `StdoutNotifier` prints for the alert.
public struct CommandNotifier: Notifier {
    public let name: String
    /// The program (an absolute path) and its arguments.
    public let argv: [String]
    /// How long one run may take before it is killed.
    public let timeout: Duration

    /// - Parameters:
    ///   - name: The notifier's name.
    ///   - argv: The program's absolute path followed by its arguments; must not be empty.
    ///   - timeout: How long one run may take before it is killed.
    public init(name: String, argv: [String], timeout: Duration = .seconds(10)) {
        self.name = name
        self.argv = argv
        self.timeout = timeout
    }

    public func deliver(_ batch: [AlertNotification]) async throws {
        for alert in batch {
            let data = try JSONPayload.encode(StdoutNotifier.Line(alert, notifier: self.name), notifier: self.name)
            try await self.run(input: data + Data("\n".utf8))
        }
    }

    private var program: String { self.argv.first ?? "(none)" }

    private func run(input: Data) async throws(NotifierError) {
        guard let executable = self.argv.first, !executable.isEmpty else {
            throw .commandLaunch(notifier: self.name, program: self.program, reason: "the command is empty")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = Array(self.argv.dropFirst())
        let stdin = Pipe()
        process.standardInput = stdin
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let exit = ProcessExit()
        process.terminationHandler = { finished in
            exit.finish(status: finished.terminationStatus, signalled: finished.terminationReason == .uncaughtSignal)
        }
        do {
            try process.run()
        } catch {
            throw .commandLaunch(notifier: self.name, program: self.program, reason: Self.reason(error))
        }
        let pid = process.processIdentifier
        // A program that exits without reading makes the write fail with EPIPE, not kill us.
        JSONLineWriter.ignoreSIGPIPE()
        let descriptor = stdin.fileHandleForWriting.fileDescriptor
        _ = JSONLineWriter.writeAll(String(decoding: input, as: UTF8.self), to: descriptor)
        try? stdin.fileHandleForWriting.close()

        let timeout = self.timeout
        let timedOut = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await exit.wait()
                return false
            }
            group.addTask {
                // Cancellation (the dispatcher's own timeout, shutdown) also ends the program.
                try? await Task.sleep(for: timeout)
                return true
            }
            let first = await group.next() ?? true
            if first { _ = kill(pid, SIGKILL) }
            group.cancelAll()
            return first
        }
        if timedOut {
            throw .commandTimeout(notifier: self.name, program: self.program, after: timeout)
        }
        let (status, signalled) = exit.result ?? (0, false)
        if signalled {
            throw .commandFailed(notifier: self.name, program: self.program, reason: "was killed by signal \(status)")
        }
        guard status == 0 else {
            throw .commandFailed(notifier: self.name, program: self.program, reason: "exited with status \(status)")
        }
    }

    private static func reason(_ error: any Error) -> String {
        let error = error as NSError
        if error.domain == NSCocoaErrorDomain, error.code == NSFileNoSuchFileError { return "no such file" }
        if error.domain == NSCocoaErrorDomain, error.code == NSFileReadNoPermissionError { return "permission denied" }
        return "\(error.domain) \(error.code)"
    }
}

/// The exit of a child process, awaited once.
private final class ProcessExit: Sendable {
    private struct State {
        var result: (status: Int32, signalled: Bool)?
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    var result: (Int32, Bool)? {
        self.state.withLock { $0.result.map { ($0.status, $0.signalled) } }
    }

    func finish(status: Int32, signalled: Bool) {
        let waiters = self.state.withLock { state in
            state.result = (status, signalled)
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = self.state.withLock { state -> Bool in
                if state.result != nil { return true }
                state.waiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }
}
