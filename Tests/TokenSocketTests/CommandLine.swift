import Foundation
import Primitives

/// The result of a command run to completion.
struct CommandResult: Sendable {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs `executable` with `arguments` to completion, killed after `timeout`.
///
/// Started with posix_spawn (Primitives' `SpawnedChild`, as oauthtop starts its own children): Foundation's
/// `Process.run()` crashed in CI (a bad pointer in its memmove) with many tests spawning at once.
func runCommand(
    _ executable: String, _ arguments: [String], timeout: Duration = .seconds(60)
) async throws -> CommandResult {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("oauthtop-cmd-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    // Files rather than pipes: a full pipe would block the child while the test waits for its exit.
    let stdoutURL = directory.appendingPathComponent("stdout")
    let stderrURL = directory.appendingPathComponent("stderr")
    _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
    let stdout = try FileHandle(forWritingTo: stdoutURL)
    let stderr = try FileHandle(forWritingTo: stderrURL)
    var options = SpawnedChild.Options()
    options.stdin = .devNull
    options.stdout = .descriptor(stdout.fileDescriptor)
    options.stderr = .descriptor(stderr.fileDescriptor)
    let child = try SpawnedChild.spawn(
        [executable] + arguments, environment: ProcessInfo.processInfo.environment, options: options
    )
    try stdout.close()
    try stderr.close()
    let ended = await withTaskGroup(of: SpawnedChild.Termination?.self) { group in
        group.addTask { await child.waitForExit() }
        group.addTask {
            try? await Task.sleep(for: timeout)
            return nil
        }
        let first = await group.next() ?? nil
        if first == nil { child.signal(SIGKILL) }
        group.cancelAll()
        return first
    }
    guard let ended else {
        throw SocketTestFailure("\(executable) \(arguments.joined(separator: " ")) not finished within \(timeout)")
    }
    return CommandResult(
        status: ended.shellStatus,
        stdout: try String(contentsOf: stdoutURL, encoding: .utf8),
        stderr: try String(contentsOf: stderrURL, encoding: .utf8)
    )
}

/// `curl --unix-socket SOCKET http://localhost/PATH`, optionally as another user through `setpriv`;
/// returns the HTTP status (0 when no answer) and the body.
func curl(
    socket: String,
    _ path: String,
    method: String = "GET",
    extra: [String] = [],
    asUser uid: UInt32? = nil,
    group gid: UInt32? = nil
) async throws -> (status: Int, body: String) {
    let curlArguments = ["-s", "-X", method, "-w", "\n%{http_code}", "--unix-socket", socket] + extra
        + ["http://localhost\(path)"]
    let result: CommandResult
    if let uid {
        let gid = gid ?? uid
        result = try await runCommand(
            "/usr/bin/setpriv", ["--reuid=\(uid)", "--regid=\(gid)", "--clear-groups", "/usr/bin/curl"] + curlArguments
        )
    } else {
        result = try await runCommand("/usr/bin/curl", curlArguments)
    }
    let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
    let status = lines.last.flatMap { Int($0) } ?? 0
    return (status, lines.dropLast().joined(separator: "\n"))
}
