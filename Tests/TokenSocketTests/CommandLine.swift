import Foundation

/// The result of a command run to completion.
struct CommandResult: Sendable {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs `executable` with `arguments` to completion (polling, never blocking a thread on it).
func runCommand(
    _ executable: String, _ arguments: [String], timeout: Duration = .seconds(60)
) async throws -> CommandResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("oauthtop-cmd-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    // Files rather than pipes: a full pipe would block the child while the test polls for its exit.
    let stdoutURL = directory.appendingPathComponent("stdout")
    let stderrURL = directory.appendingPathComponent("stderr")
    _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
    let stdout = try FileHandle(forWritingTo: stdoutURL)
    let stderr = try FileHandle(forWritingTo: stderrURL)
    process.standardOutput = stdout
    process.standardError = stderr
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let deadline = ContinuousClock.now + timeout
    while process.isRunning {
        if ContinuousClock.now >= deadline {
            process.terminate()
            throw SocketTestFailure("\(executable) \(arguments.joined(separator: " ")) not finished within \(timeout)")
        }
        try await Task.sleep(for: .milliseconds(10))
    }
    try stdout.close()
    try stderr.close()
    return CommandResult(
        status: process.terminationStatus,
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
