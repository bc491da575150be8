import Foundation
import TokenManager

/// Feeds bytes to the token endpoint response parsers as the refresher reads a response.
///
/// The input is a status line, header lines (`Name: value`), a blank line and the body:
/// ```
/// 200
/// Content-Type: application/json
///
/// {"access_token": "...", "token_type": "Bearer", "expires_in": 3600}
/// ```
/// Each status class goes to the parser the refresher uses for it: 200 to the success parser,
/// 4xx to the RFC 6749 §5.2 error parser, 429/503 to `Retry-After`; every body also goes to both
/// body parsers, whatever the status.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTokenResponse(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    let separator: [UInt8] = Array("\n\n".utf8)
    var split = bytes.endIndex
    if bytes.count >= 2 {
        for index in 0..<(bytes.count - 1) where bytes[index] == separator[0] && bytes[index + 1] == separator[1] {
            split = index
            break
        }
    }
    let head = String(decoding: bytes[..<split], as: UTF8.self)
    let body = split < bytes.endIndex ? Array(bytes[(split + 2)...]) : []
    var lines = head.split(separator: "\n", omittingEmptySubsequences: false)
    let status = lines.isEmpty ? 200 : Int(lines.removeFirst().trimmingCharacters(in: .whitespaces)) ?? 200
    var headers: [String: String] = [:]
    for line in lines {
        guard let colon = line.firstIndex(of: ":") else { continue }
        headers[line[..<colon].lowercased()] = String(line[line.index(after: colon)...])
    }
    let serverDate = headers["date"].flatMap(HTTPDate.parse)
    switch status {
    case 200:
        _ = try? TokenResponseParser.parseSuccess(
            body: body, contentType: headers["content-type"], expectedTokenType: "Bearer"
        )
    case 429, 503:
        _ = headers["retry-after"].flatMap { HTTPDate.retryAfter($0, serverNow: serverDate, localNow: 1_796_000_000) }
    case 400...499:
        _ = TokenResponseParser.parseError(body: body)
    default:
        break
    }
    _ = try? TokenResponseParser.parseSuccess(
        body: body, contentType: headers["content-type"], expectedTokenType: "bearer"
    )
    _ = TokenResponseParser.parseError(body: body)
    return 0
}
