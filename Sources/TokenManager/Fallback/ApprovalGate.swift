import Foundation
import Primitives
import Synchronization

/// The approval command of one emergency entry at run time: asked once per outage, its decision kept
/// until ``reset()`` (OAuth recovered).
final class ApprovalGate: Sendable {
    enum Decision: Sendable, Equatable {
        case approved
        /// The command runs; it was started at `since` (Unix nanoseconds).
        case pending(since: Int64)
        /// The command refused; why, without its output beyond a first line.
        case refused(String)
    }

    /// What the command is told about the outage.
    struct Request: Sendable {
        var provider: String
        var reason: String
        var error: String
        var maxDuration: Duration
        var entry: Int
        var key: Secret
    }

    private struct State {
        var decision: Decision?
        var running: Task<Void, Never>?
        /// Bumped by every reset, so that a command of an earlier outage decides nothing.
        var outage: UInt64 = 0
    }

    let command: ApprovalCommand
    private let clock: WallClock
    private let state = Mutex(State())

    init(command: ApprovalCommand, clock: WallClock) {
        self.command = command
        self.clock = clock
    }

    /// The decision of this outage; the first call starts the command and answers `pending`.
    func decision(for request: Request) -> Decision {
        let now = self.clock.now()
        return self.state.withLock { state in
            if let decision = state.decision { return decision }
            let outage = state.outage
            let environment = self.environment(for: request)
            let command = self.command
            let clock = self.clock
            state.decision = .pending(since: now)
            state.running = Task { [self] in
                let decision = await Self.ask(command, environment: environment, clock: clock, key: request.key)
                self.state.withLock { state in
                    guard state.outage == outage, !Task.isCancelled else { return }
                    state.decision = decision
                    state.running = nil
                }
            }
            return .pending(since: now)
        }
    }

    /// Forgets the decision and ends a command still running (it is killed): the outage is over.
    func reset() {
        let running = self.state.withLock { state -> Task<Void, Never>? in
            state.outage &+= 1
            state.decision = nil
            defer { state.running = nil }
            return state.running
        }
        running?.cancel()
    }

    /// Only what the command needs: a few variables of ours that cannot hold a secret, and the request.
    private func environment(for request: Request) -> [String: String] {
        var environment: [String: String] = ["PATH": "/usr/local/bin:/usr/bin:/bin"]
        let inherited = ProcessInfo.processInfo.environment
        for name in ["PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "TZ", "TMPDIR"] {
            if let value = inherited[name] { environment[name] = value }
        }
        environment["OAUTHTOP_PROVIDER"] = request.provider
        environment["OAUTHTOP_REASON"] = request.reason
        environment["OAUTHTOP_ERROR"] = String(request.error.prefix(1000))
        environment["OAUTHTOP_DURATION_SECONDS"] = String(Int64(request.maxDuration.seconds.rounded(.up)))
        environment["OAUTHTOP_ENTRY"] = String(request.entry)
        environment["OAUTHTOP_KEY_SHA256"] = request.key.fingerprint
        return environment
    }

    /// Runs the command and reads its answer.
    private static func ask(
        _ command: ApprovalCommand, environment: [String: String], clock: WallClock, key: Secret
    )
        async -> Decision
    {
        let result: ChildProcess.Result
        do {
            result = try await ChildProcess.run(command.argv, environment: environment, timeout: command.timeout) {
                try await clock.sleep(for: $0)
            }
        } catch {
            return .refused("\(command) could not be started: \(error.description)")
        }
        let line = Self.firstLine(result.output, scrubbing: key)
        switch result.outcome {
        case .exited(0):
            return .approved
        case .exited(let status):
            return .refused("\(command) exited with status \(status)" + (line.map { ": \($0)" } ?? ""))
        case .signalled(let signal):
            return .refused("\(command) was ended by signal \(signal)")
        case .timedOut:
            return .refused(
                "\(command) gave no answer within \(TokenRefreshError.format(seconds: command.timeout.seconds)) "
                    + "and was killed"
            )
        case .cancelled:
            return .refused("\(command) was stopped")
        }
    }

    /// The output's first non-empty line, at most 200 characters, printable only, the key replaced by
    /// its fingerprint (should the command have found and printed it).
    static func firstLine(_ output: [UInt8], scrubbing key: Secret) -> String? {
        let text = String(decoding: output, as: UTF8.self).replacingOccurrences(of: key.revealed, with: "\(key)")
        guard let line = text.split(whereSeparator: \.isNewline).first(where: { !$0.allSatisfy(\.isWhitespace) })
        else { return nil }
        let printable = String(
            String.UnicodeScalarView(line.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F })
        )
        .trimmingCharacters(in: .whitespaces)
        return printable.count > 200 ? String(printable.prefix(200)) + "..." : printable
    }
}
