import Testing

/// Bad option values are rejected before anything starts: exit 64 (EX_USAGE) and a clear message.
@Suite("usage errors")
struct UsageErrorTests {
    struct Case: Sendable, CustomStringConvertible {
        var arguments: [String]
        var message: String
        var usage: String

        var description: String { self.arguments.joined(separator: " ") }
    }

    @Test(
        "rejected with exit 64 and a message",
        arguments: [
            Case(arguments: ["demo", "--duration", "0s"], message: "Error: --duration must be positive", usage: "demo"),
            Case(
                arguments: ["demo", "--listen", "nonsense"],
                message: "Error: --listen: listen address 'nonsense' has no port", usage: "demo"
            ),
            Case(
                arguments: ["run", "--headless", "--listen", "nonsense"],
                message: "Error: --listen: listen address 'nonsense' has no port", usage: "run"
            ),
        ]
    )
    func rejected(_ usage: Case) async throws {
        try await Sandbox.with { sandbox in
            let result = try await ChildProcess.run(
                usage.arguments, environment: sandbox.environment(), directory: sandbox.directory
            )
            #expect(result.status == 64, "stderr: \(result.stderr)")
            #expect(result.stderr.contains(usage.message), "stderr: \(result.stderr)")
            #expect(result.stderr.contains("Usage: oauthtop \(usage.usage)"), "stderr: \(result.stderr)")
            #expect(result.stdout.isEmpty, "nothing may start: \(result.stdout)")
        }
    }
}

/// The dashboard needs a terminal; without one the user is told so and pointed at `--headless`.
@Suite("dashboard without a terminal")
struct NoTerminalTests {
    @Test("demo and watch without a TTY exit 2 with a message naming --headless", arguments: [["demo"], ["watch"]])
    func noTerminal(_ arguments: [String]) async throws {
        try await Sandbox.with { sandbox in
            let result = try await ChildProcess.run(
                arguments, environment: sandbox.environment(), directory: sandbox.directory
            )
            #expect(result.status == 2, "stderr: \(result.stderr)")
            #expect(result.stderr.contains("needs a terminal"), "stderr: \(result.stderr)")
            #expect(result.stderr.contains("--headless"), "stderr: \(result.stderr)")
            #expect(result.stdout.isEmpty)
        }
    }
}
