import Alerting
import ArgumentParser
import Foundation
import OAuthTopConfig

struct RulesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Lint alert rule files and run their unit tests.",
        discussion: """
            Rule files are in the seed's format (alerts: name, condition, severity, action, for) or in \
            Prometheus's (groups: rules: alert, expr, for, keep_firing_for, labels, annotations). \
            See docs/alerting.md.
            """,
        subcommands: [Check.self, Test.self]
    )

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check rule files and report every mistake with file, line and column.",
            discussion: """
                Parses every rule's expression and templates. Exits 0 when all files are valid, 1 otherwise.

                Example:
                  oauthtop rules check rules/seed.rules.yaml
                """
        )

        @Argument(help: ArgumentHelp("Rule files to check.", valueName: "file"))
        var files: [String]

        func validate() throws {
            guard !self.files.isEmpty else {
                throw ValidationError("name at least one rule file, e.g. oauthtop rules check rules/seed.rules.yaml")
            }
        }

        func run() async throws {
            var failed = false
            for file in self.files {
                do {
                    let groups = try RuleFileParser.load(paths: [file], aliases: .oauthTop)
                    let rules = groups.reduce(0) { $0 + $1.rules.count }
                    print(
                        "\(file): OK (\(groups.count) \(groups.count == 1 ? "group" : "groups"), \(rules) "
                            + "\(rules == 1 ? "rule" : "rules"))")
                } catch {
                    failed = true
                    if error.diagnostics.isEmpty {
                        print("\(file): error: \(error.description)")
                    }
                    for diagnostic in error.diagnostics {
                        print(diagnostic)
                    }
                    let count = error.diagnostics.filter { $0.severity == .error }.count
                    if count > 0 {
                        print("\(count) \(count == 1 ? "error" : "errors") in \(file)")
                    }
                }
            }
            if failed {
                throw ExitCode(1)
            }
        }
    }

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run rule unit-test files (the format of promtool test rules).",
            discussion: """
                Each file names its rule files (rule_files, relative to the test file), input_series in \
                the expanding notation ('0+10x20', '_', 'stale'), and alert_rule_test / promql_expr_test \
                expectations at eval_time. The same files run under `promtool test rules`. Exits 0 when \
                every test passes, 1 otherwise.

                Example:
                  oauthtop rules test Tests/AlertingTests/Fixtures/promtool/*.test.yaml
                """
        )

        @Argument(help: ArgumentHelp("Rule unit-test files.", valueName: "file"))
        var files: [String]

        func validate() throws {
            guard !self.files.isEmpty else {
                throw ValidationError(
                    "name at least one test file, e.g. oauthtop rules test rules/tests/seed.test.yaml")
            }
        }

        func run() async throws {
            var failed = 0
            for path in self.files {
                print("Unit Testing: \(path)")
                let failures = Self.test(path)
                if failures.isEmpty {
                    print("  SUCCESS")
                } else {
                    failed += 1
                    print("  FAILED:")
                    for failure in failures {
                        print("    " + failure.replacingOccurrences(of: "\n", with: "\n    "))
                    }
                }
                print("")
            }
            if failed > 0 {
                print("\(failed) of \(self.files.count) \(self.files.count == 1 ? "file" : "files") failed")
                throw ExitCode(1)
            }
        }

        /// The files a pattern names, sorted; a pattern without wildcards, or one matching nothing, as written
        /// (so a missing file is reported by name).
        static func expand(_ pattern: String) -> [String] {
            guard pattern.contains(where: { "*?[".contains($0) }) else { return [pattern] }
            var matches = glob_t()
            defer { globfree(&matches) }
            guard glob(pattern, 0, nil, &matches) == 0 else { return [pattern] }
            let paths = (0..<Int(matches.gl_pathc)).compactMap { index in
                matches.gl_pathv[index].map { String(cString: $0) }
            }
            return paths.isEmpty ? [pattern] : paths.sorted()
        }

        /// Runs one test file; the failures as lines to print (empty when it passed).
        static func test(_ path: String) -> [String] {
            let file: RuleTestFile
            do {
                file = try RuleTestFileParser().load(path: path)
            } catch {
                return [error.description]
            }
            let directory = (path as NSString).deletingLastPathComponent
            // Relative to the test file; globs (`rules/*.yaml`) expand as promtool expands them.
            let rulePaths = file.ruleFiles.flatMap { rule in
                Self.expand(rule.hasPrefix("/") || directory.isEmpty ? rule : directory + "/" + rule)
            }
            let groups: [RuleGroup]
            do {
                groups = try RuleFileParser.load(paths: rulePaths, aliases: .oauthTop)
            } catch {
                return [error.description]
            }
            return RuleTestRunner(file: file, groups: groups, aliases: .oauthTop).run().map { failure in
                "\(path):\(failure.line): \(failure.description)"
            }
        }
    }
}
