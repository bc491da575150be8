/// End-to-end tests of the `oauthtop` executable: they run the real built binary as a user would
/// (arguments, environment, working directory, signals) and read what it prints.
///
/// These tests own: driving the binary through `Process` with pipes, the fixtures under `Fixtures/`,
/// an in-process demo identity provider for `oauthtop run`, and the alert receivers the binary notifies
/// (a real Alertmanager, a loopback Hummingbird server playing Slack, PagerDuty and a webhook). They must
/// not: link the executable's code, talk to anything but loopback, sleep a fixed time hoping, or print a
/// secret.

import Foundation

/// Where the package and the built `oauthtop` binary are.
enum CLIBinary {
    /// The package root: three levels above this file (`Tests/OAuthTopCLITests/CLIBinary.swift`).
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent()

    /// `<package root>/.build/debug/oauthtop`.
    static let path: String = packageRoot.appendingPathComponent(".build/debug/oauthtop").path

    /// The binary's path, or an error that says how to build it.
    static func located() throws -> String {
        guard FileManager.default.isExecutableFile(atPath: self.path) else {
            throw CLITestFailure(
                "the oauthtop binary is missing at \(self.path); build it with `swift build --build-tests` first"
            )
        }
        return self.path
    }
}

/// A test-side failure with a message that says what was expected.
struct CLITestFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) { self.description = description }
}
