import Foundation
import Primitives

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A Debian server binary that cannot be told to pick its own port (Prometheus, Alertmanager) on a free
/// 127.0.0.1 port, with a private directory for its files and its log.
///
/// ``with(name:binary:files:arguments:ready:readyTimeout:_:)`` starts it, waits until `ready` says so,
/// runs the body, then stops it (SIGTERM, SIGKILL if it lingers) and removes the directory whatever the
/// body does. The port is chosen before the server binds it, so another test may take it in between: a
/// server that exits before it is ready is started again on another port (three tries).
public final class LoopbackServerProcess: Sendable {
    /// For messages: `Prometheus`, `Alertmanager`.
    public let name: String
    public let port: Int
    /// The private directory: the files the server was given, its data, `server.log`.
    public let directory: URL
    private let child: SpawnedChild

    /// `http://127.0.0.1:PORT`.
    public var baseURL: String { "http://127.0.0.1:\(self.port)" }

    private init(name: String, binary: String, files: [String: String], arguments: (Int, URL) -> [String]) throws {
        self.name = name
        self.port = try freeLoopbackPort()
        self.directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("oauthtop-\(name.lowercased())-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: self.directory, withIntermediateDirectories: true)
        for (file, contents) in files {
            try contents.write(to: self.directory.appendingPathComponent(file), atomically: true, encoding: .utf8)
        }
        let log = self.directory.appendingPathComponent("server.log")
        let descriptor = open(log.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw LoopbackError(description: "cannot create \(log.path): errno \(errno)") }
        defer { close(descriptor) }
        // posix_spawn (SpawnedChild), not Foundation's Process, whose run() crashed under concurrent spawning in CI.
        var options = SpawnedChild.Options()
        options.stdin = .devNull
        options.stdout = .descriptor(descriptor)
        options.stderr = .descriptor(descriptor)
        self.child = try SpawnedChild.spawn(
            [binary] + arguments(self.port, self.directory), environment: ProcessInfo.processInfo.environment,
            options: options
        )
    }

    /// Starts the server, waits until it is ready, runs `body`, and stops it.
    ///
    /// - Parameters:
    ///   - name: For messages.
    ///   - binary: The server's absolute path.
    ///   - files: Files written into the directory first (name to contents), e.g. its configuration.
    ///   - arguments: The arguments, given the port and the directory.
    ///   - ready: Whether the server at this base URL is ready (e.g. `GET /-/ready` answers 200).
    ///   - readyTimeout: How long it may take to become ready.
    /// - Throws: When it did not become ready (with the end of its log), or what `body` throws.
    public static func with<T: Sendable>(
        name: String,
        binary: String,
        files: [String: String] = [:],
        arguments: (Int, URL) -> [String],
        ready: @escaping @Sendable (String) async -> Bool,
        readyTimeout: Duration = .seconds(60),
        _ body: (LoopbackServerProcess) async throws -> T
    ) async throws -> T {
        var failures: [String] = []
        for _ in 0..<3 {
            let server = try LoopbackServerProcess(name: name, binary: binary, files: files, arguments: arguments)
            defer { server.stop() }
            let isReady = await eventually(timeout: readyTimeout) {
                guard !server.child.hasExited else { return true }  // ended: no use waiting
                return await ready(server.baseURL)
            }
            if isReady, !server.child.hasExited {
                return try await body(server)
            }
            failures.append("port \(server.port): \(server.logTail)")
            // Only a server that exited (a port taken meanwhile) gets another try.
            if !server.child.hasExited { break }
        }
        throw LoopbackError(description: "\(name) did not become ready: \(failures.joined(separator: "; "))")
    }

    /// The last lines the server logged, for failure messages.
    public var logTail: String {
        let text = try? String(contentsOf: self.directory.appendingPathComponent("server.log"), encoding: .utf8)
        return (text ?? "").split(separator: "\n").suffix(10).joined(separator: "\n")
    }

    private func stop() {
        if !self.child.hasExited {
            self.child.signal(SIGTERM)
            // Bounded: these servers stop within a second on SIGTERM; SIGKILL if one does not.
            for _ in 0..<400 where !self.child.hasExited { usleep(25_000) }
            self.child.signal(SIGKILL)
        }
        // Reaped, so that no zombie is left.
        var status: Int32 = 0
        while waitpid(self.child.pid, &status, 0) < 0, errno == EINTR {}
        try? FileManager.default.removeItem(at: self.directory)
    }
}
