import Foundation
import Primitives

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs a program for each alert with the alert as one JSON object on its standard input.
///
/// The program is started directly from `argv` (no shell, so no quoting surprises) as a
/// `Primitives.ChildProcess` with oauthtop's environment, its output is discarded, and it must exit 0
/// within `timeout`; otherwise it is killed (`SIGKILL`, with everything it started) and the attempt fails. The JSON is the same object `StdoutNotifier` prints for the alert.
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
        let result: ChildProcess.Result
        do {
            // Cancellation (the dispatcher's own timeout, shutdown) also ends the program.
            result = try await ChildProcess.run(
                self.argv, environment: ProcessInfo.processInfo.environment, input: Array(input),
                timeout: self.timeout, sleep: { try await Task.sleep(for: $0) }
            )
        } catch {
            throw .commandLaunch(notifier: self.name, program: self.program, reason: error.reason)
        }
        switch result.outcome {
        case .exited(0):
            return
        case .exited(let status):
            throw .commandFailed(notifier: self.name, program: self.program, reason: "exited with status \(status)")
        case .signalled(let signal):
            throw .commandFailed(notifier: self.name, program: self.program, reason: "was killed by signal \(signal)")
        case .timedOut, .cancelled:
            throw .commandTimeout(notifier: self.name, program: self.program, after: self.timeout)
        }
    }
}
