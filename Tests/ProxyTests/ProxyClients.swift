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
///   - extra: Further curl arguments (`-H`, `--data`, `--path-as-is`, `--request-target` ...), never a secret.
///   - bearer: A secret to send as `Authorization: Bearer SECRET`.
///   - secretHeaders: Further header lines that carry a secret (`Proxy-Authorization: Bearer SECRET`).
///
///   Secrets go through a 0600 header file (`-H @FILE`), so that they never appear in curl's argv (which every
///   user of the machine can read in /proc).
func curl(
    _ url: String, unixSocket: String? = nil, method: String? = nil, bearer: String? = nil,
    secretHeaders: [String] = [], _ extra: [String] = []
) async throws -> ClientAnswer {
    var arguments = ["-s", "-w", "\n%{http_code}"]
    let headerFile = try secretHeaderFile((bearer.map { ["Authorization: Bearer \($0)"] } ?? []) + secretHeaders)
    defer { if let headerFile { try? FileManager.default.removeItem(atPath: headerFile) } }
    if let headerFile { arguments += ["-H", "@" + headerFile] }
    if let method { arguments += ["-X", method] }
    if let unixSocket { arguments += ["--unix-socket", unixSocket] }
    arguments += extra + [url]
    let (_, output) = try await runProgram("/usr/bin/curl", arguments)
    let lines = output.split(separator: "\n", omittingEmptySubsequences: false)
    return ClientAnswer(status: lines.last.flatMap { Int($0) } ?? 0, body: lines.dropLast().joined(separator: "\n"))
}

/// Writes header lines that carry a secret to a new 0600 file for curl's `-H @FILE`; `nil` for none. The caller
/// removes the file.
func secretHeaderFile(_ lines: [String]) throws -> String? {
    guard !lines.isEmpty else { return nil }
    let file = "/tmp/oauthtop-proxy-header-\(UUID().uuidString.prefix(8))"
    guard FileManager.default.createFile(atPath: file, contents: nil, attributes: [.posixPermissions: 0o600]) else {
        throw ProxyTestFailure("cannot create \(file)")
    }
    try Data(lines.map { $0 + "\n" }.joined().utf8).write(to: URL(fileURLWithPath: file))
    return file
}

/// A Python interpreter that can `import httpx` (Debian's python3-httpx is for /usr/bin/python3; a pyenv
/// `python3` first on PATH may lack it).
func pythonWithHTTPX() async -> String? {
    for candidate in ["/usr/bin/python3", "/bin/python3"] where FileManager.default.isExecutableFile(atPath: candidate) {
        if let result = try? await runProgram(candidate, ["-c", "import httpx"]), result.status == 0 { return candidate }
    }
    return nil
}
