import Foundation

/// A private tmux server for one test: its own socket (`-L oauthtop-test-<random>`), its own
/// configuration, never the user's server. ``stop()`` kills it.
public struct TmuxServer: Sendable {
    public struct CommandFailed: Error, CustomStringConvertible {
        public var arguments: [String]
        public var status: Int32
        public var output: String
        public var description: String {
            "tmux \(self.arguments.joined(separator: " ")) exited \(self.status): \(self.output)"
        }
    }

    public let executable: URL
    public let socket: String
    public let directory: URL

    /// The tmux on `PATH`, or `nil` when there is none.
    public static func locate() -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent("tmux")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }

    /// The `terminal-demo` executable built beside the test bundle (or `$TERMINAL_DEMO`).
    public static func demoExecutable() -> URL? {
        if let explicit = ProcessInfo.processInfo.environment["TERMINAL_DEMO"] {
            return URL(fileURLWithPath: explicit)
        }
        guard let me = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return nil }
        let demo = URL(fileURLWithPath: me).deletingLastPathComponent().appendingPathComponent("terminal-demo")
        return FileManager.default.isExecutableFile(atPath: demo.path) ? demo : nil
    }

    public init(executable: URL) throws {
        self.executable = executable
        self.socket = "oauthtop-test-\(UInt64.random(in: 0...UInt64.max))"
        self.directory = FileManager.default.temporaryDirectory.appendingPathComponent(self.socket)
        try FileManager.default.createDirectory(at: self.directory, withIntermediateDirectories: true)
        let configuration = """
            set -g default-terminal tmux-256color
            set -g remain-on-exit on
            set -g status off
            set -g escape-time 0

            """
        try configuration.write(to: self.configuration, atomically: true, encoding: .utf8)
    }

    private var configuration: URL { self.directory.appendingPathComponent("tmux.conf") }

    /// Runs `tmux -u -L socket -f config arguments...` and returns its standard output.
    @discardableResult
    public func run(_ arguments: [String]) throws -> String {
        var environment = ProcessInfo.processInfo.environment
        environment["LANG"] = "C.UTF-8"
        environment["LC_ALL"] = "C.UTF-8"
        environment.removeValue(forKey: "TMUX")
        environment.removeValue(forKey: "NO_COLOR")
        // What the programs in the panes make in a temporary directory (an exec'd task's token directory)
        // stays in the server's own, removed by stop(), even when a program is killed before it cleans up.
        environment["TMPDIR"] = self.directory.path
        // A file, not a pipe: the server that `new-session` forks keeps the client's descriptors,
        // so a pipe would never reach end-of-file.
        let outputFile = self.directory.appendingPathComponent("output-\(UInt64.random(in: 0...UInt64.max))")
        defer { try? FileManager.default.removeItem(at: outputFile) }
        let status = try Subprocess.run(
            self.executable.path,
            ["-u", "-L", self.socket, "-f", self.configuration.path] + arguments,
            environment: environment,
            outputFile: outputFile.path
        )
        let text = (try? String(contentsOf: outputFile, encoding: .utf8)) ?? ""
        guard status == 0 else { throw CommandFailed(arguments: arguments, status: status, output: text) }
        return text
    }

    /// The visible text of the session's pane.
    ///
    /// - Parameters:
    ///   - escapes: Keep the colour escapes (`-e`).
    ///   - history: Include the lines scrolled off the top (`-S -`).
    public func capture(target: String, escapes: Bool = false, history: Bool = false) throws -> String {
        try self.run(["capture-pane", "-p"] + (escapes ? ["-e"] : []) + (history ? ["-S", "-"] : []) + ["-t", target])
    }

    /// A tmux format (`#{pane_dead}`) evaluated for `target`.
    public func format(_ format: String, target: String) throws -> String {
        try self.run(["display-message", "-p", "-t", target, format]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Polls `read` until `condition` holds or `timeout` passes; returns the last value read.
    public func waitFor(
        _ what: String,
        timeout: Duration = .seconds(15),
        read: () throws -> String,
        until condition: (String) -> Bool
    ) async throws -> String {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        var last = ""
        while clock.now < deadline {
            last = try read()
            if condition(last) { return last }
            try await Task.sleep(for: .milliseconds(20))
        }
        struct Timeout: Error, CustomStringConvertible {
            var description: String
        }
        throw Timeout(description: "timed out after \(timeout) waiting for \(what); last seen:\n\(last)")
    }

    /// Kills the server and removes its configuration.
    public func stop() {
        _ = try? self.run(["kill-server"])
        try? FileManager.default.removeItem(at: self.directory)
    }
}
