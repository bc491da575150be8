import Foundation
import Testing

/// `oauthtop config check FILE`: every mistake with its exact position, a summary, the right exit status.
@Suite("oauthtop config check")
struct ConfigCheckTests {
    /// One expected diagnostic: where, the text the position must point at in the fixture, and a
    /// fragment of the message.
    struct Expected: Sendable, CustomStringConvertible {
        var line: Int
        var column: Int
        var pointsAt: String
        var message: String

        var description: String { "\(self.line):\(self.column) \(self.message)" }
    }

    static let inlineSecret = "inline-secret-7f3c1ab27e4d-must-not-be-echoed"

    static let fiveMistakes: [Expected] = [
        Expected(line: 3, column: 1, pointsAt: "log_levl", message: "unknown key 'log_levl'"),
        Expected(
            line: 10, column: 20, pointsAt: inlineSecret,
            message: "client_secret: secrets must not be written in the file"
        ),
        Expected(
            line: 11, column: 26, pointsAt: "OAUTHTOP_CLI_TEST_UNSET",
            message: "refresh_token.env: environment variable 'OAUTHTOP_CLI_TEST_UNSET' is not set"
        ),
        Expected(line: 13, column: 21, pointsAt: "three", message: "max_attempts:"),
        Expected(line: 14, column: 19, pointsAt: "-5s", message: "base_delay: a duration cannot be negative"),
    ]

    @Test("a file with five mistakes: exit 1, each at FILE:LINE:COL, then a summary, no secret")
    func fiveMistakes() async throws {
        let fixture = try Sandbox.fixtureText("five-mistakes.yaml")
            .split(separator: "\n", omittingEmptySubsequences: false)
        // Guard the fixture itself: each expected position must point at the offending text.
        for expected in Self.fiveMistakes {
            let line = String(fixture[expected.line - 1])
            #expect(
                line.dropFirst(expected.column - 1).hasPrefix(expected.pointsAt),
                "fixture line \(expected.line) column \(expected.column) should start '\(expected.pointsAt)': \(line)"
            )
        }

        try await Sandbox.with { sandbox in
            try sandbox.copyFixture("five-mistakes.yaml")
            // OAUTHTOP_CLI_TEST_UNSET is deliberately absent from this explicit environment.
            let result = try await ChildProcess.run(
                ["config", "check", "five-mistakes.yaml"], environment: sandbox.environment(),
                directory: sandbox.directory
            )
            #expect(result.status == 1, "stderr: \(result.stderr)")
            let lines = result.stdoutLines
            try #require(lines.count == Self.fiveMistakes.count + 1, "expected 5 diagnostics and a summary: \(lines)")
            for (line, expected) in zip(lines, Self.fiveMistakes) {
                let prefix = "five-mistakes.yaml:\(expected.line):\(expected.column): error: "
                #expect(line.hasPrefix(prefix), "expected \(prefix)..., got: \(line)")
                #expect(line.contains(expected.message), "expected '\(expected.message)' in: \(line)")
            }
            #expect(lines.last == "5 errors in five-mistakes.yaml")
            #expect(!result.combined.contains(Self.inlineSecret), "the inline secret was printed")
            #expect(!result.combined.contains("7f3c1ab27e4d"), "part of the inline secret was printed")
        }
    }

    @Test("a valid file: exit 0 and OK")
    func validFile() async throws {
        try await Sandbox.with { sandbox in
            try sandbox.copyFixture("valid.yaml")
            let environment = sandbox.environment([
                "OAUTHTOP_CLI_TEST_SECRET": "a-client-secret-of-at-least-32-characters",
                "OAUTHTOP_CLI_TEST_REFRESH_TOKEN": "a-refresh-token-value-for-the-check",
            ])
            let result = try await ChildProcess.run(
                ["config", "check", "valid.yaml"], environment: environment, directory: sandbox.directory
            )
            #expect(result.status == 0, "stdout: \(result.stdout) stderr: \(result.stderr)")
            #expect(result.stdoutLines == ["valid.yaml: OK (1 provider)"])
            #expect(!result.combined.contains("a-client-secret-of-at-least-32-characters"))
            #expect(!result.combined.contains("a-refresh-token-value-for-the-check"))
        }
    }

    @Test("a missing file: exit 2 and a message naming it")
    func missingFile() async throws {
        try await Sandbox.with { sandbox in
            let result = try await ChildProcess.run(
                ["config", "check", "no-such-file.yaml"], environment: sandbox.environment(),
                directory: sandbox.directory
            )
            #expect(result.status == 2)
            #expect(result.stdout.isEmpty)
            #expect(
                result.stderr.contains("no-such-file.yaml (from --config): no such file"), "stderr: \(result.stderr)"
            )
            #expect(result.stderr.contains("no configuration file found"), "stderr: \(result.stderr)")
            #expect(!result.stderr.contains("Fatal error"))
        }
    }
}
