import Foundation
import OAuthTopTestKit
import Testing

/// `oauthtop rules check FILE...` and `oauthtop rules test FILE...`: the linter's exact positions and exit
/// statuses, and the rule unit tests, compared with promtool on the same files when it is installed.
@Suite("oauthtop rules")
struct RulesCommandTests {
    static let promtool = "/usr/bin/promtool"
    static var promtoolInstalled: Bool { FileManager.default.isExecutableFile(atPath: Self.promtool) }

    /// The promtool-format unit tests of the Alerting target, shared by both evaluators.
    static let promtoolFixtures = CLIBinary.packageRoot.appendingPathComponent("Tests/AlertingTests/Fixtures/promtool")

    @Test("check: the seed rules are valid")
    func checkSeed() async throws {
        let result = try await ChildProcess.run(
            ["rules", "check", "rules/seed.rules.yaml"], environment: ["PATH": "/usr/bin:/bin"],
            directory: CLIBinary.packageRoot
        )
        #expect(result.status == 0, "stdout: \(result.stdout) stderr: \(result.stderr)")
        #expect(result.stdoutLines == ["rules/seed.rules.yaml: OK (1 group, 6 rules)"])
        #expect(result.stderr.isEmpty, "stderr: \(result.stderr)")
    }

    /// One expected diagnostic and the text its column must point at in the fixture.
    struct Expected: Sendable {
        var line: Int
        var column: Int
        var pointsAt: String
        var message: String

        var rendered: String { "rules-mistakes.yaml:\(self.line):\(self.column): error: \(self.message)" }
    }

    static let mistakes = [
        // Inside a `|` block: the second line of the expression.
        Expected(line: 8, column: 13, pointsAt: "* 0.1", message: "expr: unexpected '*' (expected an expression)"),
        // Inside a plain scalar, with the token the parser expected.
        Expected(
            line: 11, column: 62, pointsAt: "provider > 0.1", message: "expr: expected '(' after by, found 'provider'"
        ),
        Expected(
            line: 15, column: 14, pointsAt: "soon",
            message: "for: expected a duration such as 30s, 5m or 1h30m (units ms, s, m, h, d, w, y), found 'soon'"
        ),
        Expected(
            line: 18, column: 17, pointsAt: "1bad_name",
            message: "record: invalid recording rule name '1bad_name': must match [a-zA-Z_:][a-zA-Z0-9_:]*"
        ),
    ]

    @Test("check: a file with four mistakes: exit 1, each at FILE:LINE:COL, then a count")
    func checkMistakes() async throws {
        let fixture = try Sandbox.fixtureText("rules-mistakes.yaml")
            .split(separator: "\n", omittingEmptySubsequences: false)
        // Guard the fixture itself: each position must point at the offending text.
        for expected in Self.mistakes {
            let line = String(fixture[expected.line - 1])
            #expect(
                line.dropFirst(expected.column - 1).hasPrefix(expected.pointsAt),
                "fixture line \(expected.line) column \(expected.column) should start '\(expected.pointsAt)': \(line)"
            )
        }
        try await Sandbox.with { sandbox in
            try sandbox.copyFixture("rules-mistakes.yaml")
            let result = try await ChildProcess.run(
                ["rules", "check", "rules-mistakes.yaml"], environment: sandbox.environment(),
                directory: sandbox.directory
            )
            #expect(result.status == 1, "stderr: \(result.stderr)")
            #expect(result.stdoutLines == Self.mistakes.map(\.rendered) + ["4 errors in rules-mistakes.yaml"])
            #expect(result.stderr.isEmpty, "stderr: \(result.stderr)")
        }
    }

    @Test("check: a valid file and a missing one: exit 1, the valid one OK, the missing one named")
    func checkMissingFile() async throws {
        try await Sandbox.with { sandbox in
            let result = try await ChildProcess.run(
                ["rules", "check", CLIBinary.packageRoot.appendingPathComponent("rules/seed.rules.yaml").path,
                 "absent.yaml"],
                environment: sandbox.environment(), directory: sandbox.directory
            )
            #expect(result.status == 1, "stderr: \(result.stderr)")
            #expect(result.stdoutLines.first?.hasSuffix("rules/seed.rules.yaml: OK (1 group, 6 rules)") == true)
            #expect(
                result.stdout.contains("absent.yaml: error: cannot read the file: no such file"), "\(result.stdout)"
            )
        }
    }

    @Test("check and test without files: usage error, exit 64", arguments: ["check", "test"])
    func noArguments(_ subcommand: String) async throws {
        try await Sandbox.with { sandbox in
            let result = try await ChildProcess.run(
                ["rules", subcommand], environment: sandbox.environment(), directory: sandbox.directory
            )
            #expect(result.status == 64, "stderr: \(result.stderr)")
            #expect(result.stderr.contains("Error: Missing expected argument '<file> ...'"), "\(result.stderr)")
            #expect(result.stderr.contains("Usage: oauthtop rules \(subcommand) <file> ..."), "\(result.stderr)")
            #expect(result.stdout.isEmpty)
        }
    }

    @Test(
        "test: every promtool fixture passes, under oauthtop and under promtool",
        .tags(.slow, .realServer), .timeLimit(.minutes(2))
    )
    func testFixtures() async throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.promtoolFixtures.path)
            .filter { $0.hasSuffix(".test.yaml") }
            .sorted()
        try #require(files.count >= 10, "the promtool fixtures are missing from \(Self.promtoolFixtures.path)")
        let result = try await ChildProcess.run(
            ["rules", "test"] + files, environment: ["PATH": "/usr/bin:/bin"], directory: Self.promtoolFixtures
        )
        #expect(result.status == 0, "oauthtop rules test:\n\(result.stdout)\(result.stderr)")
        let reports = result.stdout.components(separatedBy: "\n\n").filter { !$0.isEmpty }
        #expect(reports == files.map { "Unit Testing: \($0)\n  SUCCESS" }, "\(result.stdout)")

        // Where promtool is installed (CI installs Debian's `prometheus`), both evaluators judge the same files.
        guard Self.promtoolInstalled else { return }
        let reference = try await ChildProcess.run(
            executable: Self.promtool, ["test", "rules"] + files, environment: ["PATH": "/usr/bin:/bin"],
            directory: Self.promtoolFixtures
        )
        #expect(reference.status == 0, "promtool test rules:\n\(reference.stdout)\(reference.stderr)")
        #expect(reference.stdout.components(separatedBy: "SUCCESS").count - 1 == files.count, "\(reference.stdout)")
    }

    /// Expression positions in the file: a line of a `|` block indented deeper than the block counts from the
    /// block's indentation (the rest is content); an error
    /// at the end of a plain scalar (an unclosed parenthesis) stays on the scalar's line, just past its end.
    @Test("check: positions on an indented block line and at the end of a plain scalar")
    func positionsInBlocksAndAtTheEnd() async throws {
        let block = """
            groups:
              - name: g
                rules:
                  - alert: Block
                    expr: |
                      sum(
                        up * * 2)

            """
        let plain = """
            groups:
              - name: g
                rules:
                  - alert: Plain
                    expr: up > 0 and on(provider
                    for: 1m

            """
        try await Sandbox.with { sandbox in
            try sandbox.write("block.yaml", block)
            try sandbox.write("plain.yaml", plain)
            let result = try await ChildProcess.run(
                ["rules", "check", "block.yaml", "plain.yaml"], environment: sandbox.environment(),
                directory: sandbox.directory
            )
            #expect(result.status == 1)
            let lines = result.stdoutLines
            #expect(lines.count == 4, "\(result.stdout)")
            // The second '*' of `            up * * 2)` is at column 18.
            #expect(lines.first == "block.yaml:7:18: error: expr: unexpected '*' (expected an expression)")
            // Just past `(provider` on line 5 (column 36).
            #expect(
                lines.dropFirst(2).first == "plain.yaml:5:37: error: expr: unexpected end of expression in "
                    + "grouping opts (expected ',' or ')')"
            )
        }
    }

    @Test("test: rule_files globs; fuzzy_compare: false compares exactly")
    func globsAndExactComparison() async throws {
        let rules = """
            groups:
              - name: thirds
                rules:
                  - record: third
                    expr: g / 3

            """
        func testFile(_ fuzzy: String) -> String {
            """
            rule_files: ['rules/*.yaml']
            evaluation_interval: 1m
            \(fuzzy)
            tests:
              - interval: 1m
                input_series:
                  - series: 'g'
                    values: '1 1'
                promql_expr_test:
                  - expr: third
                    eval_time: 1m
                    exp_samples:
                      - labels: 'third'
                        value: 0.333333333333333

            """
        }
        try await Sandbox.with { sandbox in
            try FileManager.default.createDirectory(
                atPath: sandbox.path("rules"), withIntermediateDirectories: true
            )
            _ = try sandbox.write("rules/thirds.yaml", rules)
            _ = try sandbox.write("fuzzy.test.yaml", testFile(""))
            _ = try sandbox.write("exact.test.yaml", testFile("fuzzy_compare: false"))
            let fuzzy = try await ChildProcess.run(
                ["rules", "test", "fuzzy.test.yaml"], environment: sandbox.environment(), directory: sandbox.directory
            )
            #expect(fuzzy.status == 0, "\(fuzzy.stdout)")
            let exact = try await ChildProcess.run(
                ["rules", "test", "exact.test.yaml"], environment: sandbox.environment(), directory: sandbox.directory
            )
            #expect(exact.status == 1, "\(exact.stdout)")
            #expect(exact.stdout.contains("third 0.3333333333333333"))
        }
    }

    static let failingRules = """
        groups:
          - name: failing
            rules:
              - alert: TokenExpiringSoon
                expr: oauth_token_expires_in_seconds < 300
                labels:
                  severity: warning

        """

    static let failingTest = """
        rule_files: [failing.rules.yaml]
        evaluation_interval: 1m
        tests:
          - interval: 1m
            input_series:
              - series: 'oauth_token_expires_in_seconds{provider="github"}'
                values: '600 100 100'
            alert_rule_test:
              - eval_time: 2m
                alertname: TokenExpiringSoon
                exp_alerts:
                  - exp_labels: {provider: google, severity: warning}
            promql_expr_test:
              - expr: oauth_token_expires_in_seconds
                eval_time: 1m
                exp_samples:
                  - labels: 'oauth_token_expires_in_seconds{provider="github"}'
                    value: 99

        """

    @Test("test: a failing file: exit 1, each failure with its line, exp and got")
    func testFailing() async throws {
        try await Sandbox.with { sandbox in
            try sandbox.write("failing.rules.yaml", Self.failingRules)
            try sandbox.write("failing.test.yaml", Self.failingTest)
            let passing = try sandbox.write("passing.test.yaml", "rule_files: [failing.rules.yaml]\ntests: []\n")
            let result = try await ChildProcess.run(
                ["rules", "test", "failing.test.yaml", passing], environment: sandbox.environment(),
                directory: sandbox.directory
            )
            #expect(result.status == 1, "stderr: \(result.stderr)")
            let lines = result.stdoutLines
            let expected = [
                "Unit Testing: failing.test.yaml",
                "  FAILED:",
                "    failing.test.yaml:9: line 4: alertname: TokenExpiringSoon, time: 2m",
                #"        exp: [{labels: {alertname="TokenExpiringSoon", provider="google", severity="warning"}, "#
                    + "annotations: {}}]",
                #"        got: [{labels: {alertname="TokenExpiringSoon", provider="github", severity="warning"}, "#
                    + "annotations: {}}]",
                "    failing.test.yaml:14: line 4: expr: oauth_token_expires_in_seconds, time: 1m",
                #"        exp: ["oauth_token_expires_in_seconds{provider=\"github\"} 99"]"#,
                #"        got: ["oauth_token_expires_in_seconds{provider=\"github\"} 100"]"#,
                "Unit Testing: \(passing)",
                "  SUCCESS",
                "1 of 2 files failed",
            ]
            #expect(lines.filter { !$0.isEmpty } == expected, "stdout:\n\(result.stdout)")

            guard Self.promtoolInstalled else { return }
            let reference = try await ChildProcess.run(
                executable: Self.promtool, ["test", "rules", "failing.test.yaml"], environment: sandbox.environment(),
                directory: sandbox.directory
            )
            #expect(reference.status == 1, "promtool agrees that the file fails: \(reference.stdout)")
        }
    }
}
