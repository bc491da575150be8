import Foundation
import OAuthTopTestKit

/// What a client got back.
struct ClientAnswer: Sendable {
    var status: Int
    var body: String
}

/// Runs a program to completion off the cooperative pool, its stdout and stderr in one file.
func runProgram(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) async throws
    -> (status: Int32, output: String)
{
    let file = "/tmp/oauthtop-proxy-out-\(UUID().uuidString.prefix(8))"
    defer { try? FileManager.default.removeItem(atPath: file) }
    var environment = environment
    environment["PATH"] = environment["PATH"] ?? "/usr/bin:/bin"
    let frozen = environment
    let status = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int32, any Error>) in
        Thread.detachNewThread {
            continuation.resume(with: Result { try Subprocess.run(executable, arguments, environment: frozen, outputFile: file) })
        }
    }
    return (status, (try? String(contentsOfFile: file, encoding: .utf8)) ?? "")
}

/// `curl` against `url` (or through `--unix-socket`), returning the status and body.
///
/// - Parameters:
///   - extra: Further curl arguments (`-H`, `--data`, `--path-as-is`, `--request-target` ...).
///   - bearer: A secret to send as `Authorization: Bearer SECRET`, through a 0600 header file (`-H @FILE`) so
///     that it never appears in curl's argv.
func curl(
    _ url: String, unixSocket: String? = nil, method: String? = nil, bearer: String? = nil, _ extra: [String] = []
) async throws -> ClientAnswer {
    var arguments = ["-s", "-w", "\n%{http_code}"]
    var headerFile: String?
    defer { if let headerFile { try? FileManager.default.removeItem(atPath: headerFile) } }
    if let bearer {
        let file = "/tmp/oauthtop-proxy-header-\(UUID().uuidString.prefix(8))"
        guard FileManager.default.createFile(atPath: file, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw ProxyTestFailure("cannot create \(file)")
        }
        headerFile = file
        try Data("Authorization: Bearer \(bearer)\n".utf8).write(to: URL(fileURLWithPath: file))
        arguments += ["-H", "@" + file]
    }
    if let method { arguments += ["-X", method] }
    if let unixSocket { arguments += ["--unix-socket", unixSocket] }
    arguments += extra + [url]
    let (_, output) = try await runProgram("/usr/bin/curl", arguments)
    let lines = output.split(separator: "\n", omittingEmptySubsequences: false)
    return ClientAnswer(status: lines.last.flatMap { Int($0) } ?? 0, body: lines.dropLast().joined(separator: "\n"))
}

/// A Python interpreter that can `import httpx` (Debian's python3-httpx is for /usr/bin/python3; a pyenv
/// `python3` first on PATH may lack it).
func pythonWithHTTPX() async -> String? {
    for candidate in ["/usr/bin/python3", "/bin/python3"] where FileManager.default.isExecutableFile(atPath: candidate) {
        if let result = try? await runProgram(candidate, ["-c", "import httpx"]), result.status == 0 { return candidate }
    }
    return nil
}
