import HTTPTypes
import OAuthTopConfig
import OAuthTopRuntime

/// Feeds bytes to the rate-limit header reader (`RateLimitHeaders`) as a response's header fields, one `Name: value`
/// per line: the IETF `RateLimit`/`RateLimit-Policy` structured fields, the older drafts' forms, `X-RateLimit-*`,
/// and two configured vendor limits (Anthropic's and OpenAI's names, with RFC 3339 and Go-duration resets).
///
/// Every reading must have `0 ≤ remaining ≤ limit`, a used fraction within 0...1 and a non-negative reset.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRateLimitHeaders(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    let fields = Fields.parse(text)
    let report = Reader.shared.read(fields, localNow: 1_796_000_000_000_000_000)
    for reading in report.readings {
        precondition(reading.remaining >= 0 && reading.remaining <= reading.limit, "remaining outside 0...limit")
        precondition((0...1).contains(reading.used), "used \(reading.used) outside 0...1")
        precondition((reading.resetAfter ?? .zero) >= .zero, "a negative reset")
        precondition(!reading.name.isEmpty && reading.name.utf8.count <= 64, "a bad limit name")
    }
    return 0
}

enum Reader {
    static let shared = RateLimitHeaders(limits: [
        ProxySettings.HeaderLimit(
            name: "requests", limitHeader: "anthropic-ratelimit-requests-limit",
            remainingHeader: "anthropic-ratelimit-requests-remaining", resetHeader: "anthropic-ratelimit-requests-reset"
        ),
        ProxySettings.HeaderLimit(
            name: "tokens", limitHeader: "x-ratelimit-limit-tokens", remainingHeader: "x-ratelimit-remaining-tokens",
            resetHeader: "x-ratelimit-reset-tokens"
        ),
    ])
}

enum Fields {
    /// `Name: value` lines; a line whose name is no field name is skipped.
    static func parse(_ text: String) -> HTTPFields {
        var fields = HTTPFields()
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":"), let name = HTTPField.Name(String(line[..<colon])) else {
                continue
            }
            fields.append(HTTPField(name: name, lenientValue: Array(line[line.index(after: colon)...].utf8)))
        }
        return fields
    }
}
