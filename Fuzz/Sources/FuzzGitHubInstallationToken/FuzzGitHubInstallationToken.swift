import TokenManager

/// Feeds bytes to the GitHub installation-token answer parser as the GitHub App fallback reads an
/// answer to `POST /app/installations/{id}/access_tokens`.
///
/// The input is a status line, header lines (`Name: value`), a blank line and the body:
/// ```
/// 201
/// Content-Type: application/json
///
/// {"token": "ghs_...", "expires_at": "2026-12-06T08:00:00Z"}
/// ```
/// A missing or unreadable status is 201; the body also goes to the parser as a 201 and as a 403, so
/// the success and the error paths (rate-limit headers, GitHub's message) see every body.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGitHubInstallationToken(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    var split = bytes.endIndex
    if bytes.count >= 2 {
        for index in 0..<(bytes.count - 1) where bytes[index] == 0x0A && bytes[index + 1] == 0x0A {
            split = index
            break
        }
    }
    let head = String(decoding: bytes[..<split], as: UTF8.self)
    let body = split < bytes.endIndex ? Array(bytes[(split + 2)...]) : []
    var lines = head.split(separator: "\n", omittingEmptySubsequences: false)
    let status = lines.isEmpty ? 201 : Int(lines.removeFirst().trimmingCharacters(in: .whitespaces)) ?? 201
    var headers: [(name: String, value: String)] = []
    for line in lines {
        guard let colon = line.firstIndex(of: ":") else { continue }
        headers.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
    }
    let now = 1_796_000_000.0
    for code in [status, 201, 403] {
        _ = try? GitHubInstallationTokenParser.parse(
            TokenEndpointResponse(status: code, headers: headers, body: body), now: now
        )
    }
    return 0
}
