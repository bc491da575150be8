import ArgumentParser
import Foundation
import OAuthTopConfig

struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Work with oauthtop.yaml.",
        subcommands: [Check.self]
    )

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a configuration file and report every mistake with line and column.",
            discussion: """
                Without FILE, checks the file oauthtop would use: $OAUTHTOP_CONFIG, else \
                $XDG_CONFIG_HOME/oauthtop/oauthtop.yaml. Secrets named with {env: NAME} or \
                {file: PATH} are resolved (an unset variable is an error) but never printed. \
                Exits 0 when the file is valid, 1 when it has errors, 2 when it cannot be found.

                Example:
                  oauthtop config check examples/oauthtop.yaml
                """
        )

        @Argument(help: ArgumentHelp("The configuration file.", valueName: "file"))
        var file: String?

        func run() async throws {
            let environment = ProcessInfo.processInfo.environment
            let path: String
            do {
                path = try ConfigLocator.locate(explicitPath: self.file, environment: environment).path
            } catch {
                FileHandle.standardError.write(Data("\(error)\n".utf8))
                throw ExitCode(2)
            }
            let report = OAuthTopConfiguration.check(path: path, environment: environment)
            for line in report.lines { print(line) }
            if report.exitCode != 0 { throw ExitCode(report.exitCode) }
        }
    }
}
