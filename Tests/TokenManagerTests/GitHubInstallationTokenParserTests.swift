import Testing

@testable import TokenManager

@Suite("GitHub installation-token answers: parsed, or refused with a clear reason")
struct GitHubInstallationTokenParserTests {
    static let now = 1_800_000_000.0

    static func parse(
        _ status: Int, _ body: String, headers: [(String, String)] = []
    ) throws(AttemptFailure)
        -> GitHubInstallationToken
    {
        try GitHubInstallationTokenParser.parse(
            TokenEndpointResponse(
                status: status, headers: headers.map { (name: $0.0, value: $0.1) }, body: Array(body.utf8)),
            now: Self.now
        )
    }

    @Test("201 and 200 with a token and an RFC 3339 expires_at, with or without fractions and offsets")
    func successShapes() throws {
        let token = try Self.parse(201, #"{"token":"ghs_abc","expires_at":"2027-01-15T08:00:00Z","permissions":{}}"#)
        #expect(token.token.revealed == "ghs_abc")
        #expect(token.expiresAt == RFC3339.parse("2027-01-15T08:00:00Z"))
        #expect(
            try Self.parse(200, #"{"token":"t","expires_at":"2027-01-15T10:00:00+02:00"}"#).expiresAt == token.expiresAt
        )
        #expect(
            try Self.parse(201, #"{"token":"t","expires_at":"2027-01-15T08:00:00.500Z"}"#).expiresAt
                == token.expiresAt + 500_000_000)
    }

    @Test(
        "malformed successes name what is wrong and never show the token",
        arguments: [
            ("", "not_json"), ("<html>", "not_json"), ("[1]", "not_object"), ("{}", "missing_token"),
            (#"{"token":""}"#, "missing_token"), (#"{"token":12}"#, "missing_token"),
            (#"{"token":"ghs_secret one"}"#, "bad_token"), (#"{"token":"ghs_secret\r\nX: y"}"#, "bad_token"),
            (#"{"token":"ghs_secret"}"#, "missing_expires_at"),
            (#"{"token":"ghs_secret","expires_at":1800000000}"#, "bad_expires_at"),
            (#"{"token":"ghs_secret","expires_at":"tomorrow"}"#, "bad_expires_at"),
            (#"{"token":"ghs_secret","expires_at":"2027-13-45T99:00:00Z"}"#, "bad_expires_at"),
            (#"{"token":"ghs_secret","expires_at":null}"#, "bad_expires_at"),
        ])
    func malformed(body: String, code: String) {
        let error = #expect(throws: AttemptFailure.self) { try Self.parse(201, body) }
        #expect(error?.kind == .badResponse)
        #expect(error?.detail.hasPrefix(code + ":") == true, "\(String(describing: error))")
        #expect(error?.description.contains("ghs_secret") == false)
    }

    @Test("an over-long token is refused")
    func longToken() {
        let body = #"{"token":""# + String(repeating: "a", count: 5000) + #"","expires_at":"2027-01-15T08:00:00Z"}"#
        let error = #expect(throws: AttemptFailure.self) { try Self.parse(201, body) }
        #expect(error?.detail.hasPrefix("bad_token:") == true)
    }

    @Test("rate limits carry the wait GitHub asked for")
    func rateLimits() {
        let reset = #expect(throws: AttemptFailure.self) {
            try Self.parse(
                403, #"{"message":"API rate limit exceeded"}"#,
                headers: [
                    ("X-RateLimit-Remaining", "0"), ("X-RateLimit-Reset", "1800000300"),
                ])
        }
        #expect(reset?.kind == .rateLimited)
        #expect(reset?.retryAfter == .seconds(300))
        let retryAfter = #expect(throws: AttemptFailure.self) {
            try Self.parse(429, "", headers: [("Retry-After", "45")])
        }
        #expect(retryAfter?.retryAfter == .seconds(45))
        let bare = #expect(throws: AttemptFailure.self) { try Self.parse(429, "") }
        #expect(bare?.retryAfter == .seconds(60), "at least a minute when nothing says")
        let past = #expect(throws: AttemptFailure.self) {
            try Self.parse(403, "", headers: [("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", "1")])
        }
        #expect(past?.retryAfter == .zero)
        let forbidden = #expect(throws: AttemptFailure.self) {
            try Self.parse(403, #"{"message":"Resource not accessible by integration"}"#)
        }
        #expect(forbidden?.kind == .unexpectedStatus)
        #expect(forbidden?.code == "http_403")
    }

    @Test("GitHub's message is kept short and printable")
    func message() {
        let long = String(repeating: "m", count: 300)
        let error = #expect(throws: AttemptFailure.self) {
            try Self.parse(404, #"{"message":"Not\u001b[31m Found\n\#(long)"}"#)
        }
        let detail = error?.detail ?? ""
        #expect(detail.hasPrefix("HTTP 404 no such installation of this app"))
        #expect(!detail.contains("\u{1b}") && !detail.contains("\n"))
        #expect(detail.hasSuffix("..."))
        #expect(detail.count < 320)
        let server = #expect(throws: AttemptFailure.self) { try Self.parse(502, "bad gateway") }
        #expect(server?.kind == .serverError)
        #expect(server?.detail == "HTTP 502")
    }
}
