import Foundation

/// A temporary directory for one test: fixtures are copied into it, the binary runs in it with an
/// environment that points HOME and the XDG directories inside it, and it is removed afterwards.
struct Sandbox: Sendable {
    let directory: URL

    /// Creates a sandbox, runs `body`, and removes the sandbox whatever happens.
    static func with<T: Sendable>(_ body: (Sandbox) async throws -> T) async throws -> T {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("oauthtop-cli-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        return try await body(Sandbox(directory: directory))
    }

    /// The path of `name` inside the sandbox.
    func path(_ name: String) -> String { self.directory.appendingPathComponent(name).path }

    /// Copies fixture `name` (from `Fixtures/`) into the sandbox and returns its path there.
    @discardableResult
    func copyFixture(_ name: String) throws -> String {
        let source = try Self.fixture(name)
        let destination = self.path(name)
        try FileManager.default.copyItem(atPath: source, toPath: destination)
        return destination
    }

    /// Writes `text` to `name` inside the sandbox and returns its path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let destination = self.path(name)
        try Data(text.utf8).write(to: URL(fileURLWithPath: destination))
        return destination
    }

    /// Writes `text`, which holds a secret, to a new 0600 file `name` inside the sandbox and returns its path: a
    /// secret a test hands to a program goes in such a file (`curl -H @FILE`, a script that reads it), never in
    /// argv, which every user of the machine can read in /proc.
    @discardableResult
    func writeSecret(_ name: String, _ text: String) throws -> String {
        let destination = self.path(name)
        guard FileManager.default.createFile(atPath: destination, contents: nil, attributes: [.posixPermissions: 0o600])
        else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: destination]) }
        try Data(text.utf8).write(to: URL(fileURLWithPath: destination))
        return destination
    }

    /// A minimal environment that keeps the binary away from the user's own files, plus `extra`.
    func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var environment = [
            "PATH": "/usr/bin:/bin",
            "HOME": self.directory.path,
            "XDG_CONFIG_HOME": self.path("config"),
            "XDG_STATE_HOME": self.path("state"),
            // The daemon's token socket goes here, so daemons of tests running at once do not meet.
            "XDG_RUNTIME_DIR": self.path("runtime"),
            // Exec'd tasks make their token directories under XDG_RUNTIME_DIR when it exists, else here: a
            // child killed before it cleans up (a test's timeout) leaves nothing in the machine's /tmp.
            "TMPDIR": self.directory.path,
        ]
        environment.merge(extra) { _, new in new }
        return environment
    }

    /// The text of a fixture file.
    static func fixtureText(_ name: String) throws -> String {
        try String(contentsOfFile: try self.fixture(name), encoding: .utf8)
    }

    private static func fixture(_ name: String) throws -> String {
        guard let directory = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
            throw CLITestFailure("the test bundle has no Fixtures directory")
        }
        let path = directory.appendingPathComponent(name).path
        guard FileManager.default.fileExists(atPath: path) else { throw CLITestFailure("no fixture \(name)") }
        return path
    }
}
