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
        subcommands: [Check.self]
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
                    let groups = try RuleFileParser.load(paths: [file])
                    let rules = groups.reduce(0) { $0 + $1.rules.count }
                    print("\(file): OK (\(groups.count) \(groups.count == 1 ? "group" : "groups"), \(rules) "
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
}
