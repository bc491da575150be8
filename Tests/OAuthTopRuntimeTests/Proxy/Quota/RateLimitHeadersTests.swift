import HTTPTypes
import OAuthTopConfig
import Testing

@testable import OAuthTopRuntime

/// Every form of rate-limit header the proxy reads, with the examples of the documents that define them.
@Suite("Quota: rate-limit headers")
struct RateLimitHeadersTests {
    /// 2026-12-06T09:30:00Z in Unix nanoseconds.
    static let now: Int64 = 1_796_549_400_000_000_000

    static func fields(_ pairs: [(String, String)]) -> HTTPFields {
        var fields = HTTPFields()
        for (name, value) in pairs { fields.append(HTTPField(name: HTTPField.Name(name)!, value: value)) }
        return fields
    }

    static func read(_ pairs: [(String, String)], limits: [ProxySettings.HeaderLimit] = []) -> RateLimitHeaders.Report {
        RateLimitHeaders(limits: limits).read(Self.fields(pairs), localNow: Self.now)
    }

    // MARK: - IETF

    @Test("draft-ietf-httpapi-ratelimit-headers-10 §3.2, §4.2: RateLimit-Policy \"default\";q=100 with RateLimit")
    func currentDraft() throws {
        let report = Self.read([("RateLimit-Policy", #""default";q=100;w=10"#), ("RateLimit", #""default";r=50;t=30"#)])
        #expect(report.problems.isEmpty)
        #expect(
            report.readings == [
                RateLimitReading(
                    name: "default", limit: 100, remaining: 50, resetAfter: .seconds(30), window: .seconds(10))
            ])
        #expect(report.readings.first?.used == 0.5)
    }

    @Test("several policies, over several field lines; each service limit paired with its policy by name")
    func severalPolicies() {
        let report = Self.read([
            ("RateLimit-Policy", #""permin";q=50;w=60"#), ("RateLimit-Policy", #""perhr";q=1000;w=3600"#),
            ("RateLimit", #""perhr";r=100;t=2402, "permin";r=5;t=23"#),
        ])
        #expect(report.readings.map(\.name) == ["perhr", "permin"])
        #expect(report.readings.map(\.used) == [0.9, 0.9])
        #expect(report.readings.map(\.resetAfter) == [.seconds(2402), .seconds(23)])
    }

    @Test("partition keys: a service limit pairs with the policy of its pk (draft -10 §3.1.4)")
    func partitionKeys() {
        let report = Self.read([
            ("RateLimit-Policy", #""peruser";q=100;w=60;pk=:AAAA:, "peruser";q=10;w=60;pk=:BBBB:"#),
            ("RateLimit", #""peruser";r=1;t=6;pk=:BBBB:"#),
        ])
        #expect(report.readings.map(\.limit) == [10])
        #expect(report.readings.first?.used == 0.9)
    }

    @Test("a service limit without a policy, or with a bad r or t, is ignored with a reason; the others are read")
    func currentDraftProblems() {
        let report = Self.read([
            ("RateLimit-Policy", #""a";q=10, "b";q=10, "c";q=10"#),
            ("RateLimit", #""a";r=-1, "b";r=2;t=-3, "c";r=11, "d";r=1, "e", "f";r=2.5"#),
        ])
        #expect(report.readings.isEmpty)
        #expect(report.problems.count == 6)
        #expect(report.problems.allSatisfy { $0.description.hasPrefix("RateLimit: ") })
        #expect(report.problems.contains { $0.description.contains("more remaining (11) than its limit (10)") })
        #expect(report.problems.contains { $0.description.contains("\"d\" has no RateLimit-Policy") })
    }

    @Test("a malformed RateLimit is ignored (draft -10 §5: Malformed RateLimit header fields MUST be ignored)")
    func malformedIgnored() {
        let report = Self.read([
            ("RateLimit-Policy", #""default";q=100"#), ("RateLimit", #""default";r=50;t=30,"#),
            ("X-RateLimit-Limit", "60"), ("X-RateLimit-Remaining", "30"),
        ])
        #expect(report.readings == [RateLimitReading(name: "default", limit: 60, remaining: 30)], "falls back")
        #expect(report.problems.count == 1)
    }

    @Test("draft -07: RateLimit: limit=100, remaining=50, reset=5 (a Dictionary)")
    func draft07() {
        let report = Self.read([("RateLimit-Policy", "100;w=10"), ("RateLimit", "limit=100, remaining=50, reset=5")])
        #expect(
            report.readings == [RateLimitReading(name: "default", limit: 100, remaining: 50, resetAfter: .seconds(5))])
        #expect(report.problems.isEmpty)
    }

    @Test("drafts up to -06: RateLimit-Limit: 100, 100;w=60 / RateLimit-Remaining / RateLimit-Reset")
    func draft06() {
        let report = Self.read([
            ("RateLimit-Limit", "10, 10;w=1, 50;w=60"), ("RateLimit-Remaining", "1"), ("RateLimit-Reset", "7"),
        ])
        #expect(
            report.readings == [
                RateLimitReading(name: "default", limit: 10, remaining: 1, resetAfter: .seconds(7))
            ])
        #expect(report.readings.first?.used == 0.9)
        let broken = Self.read([("RateLimit-Limit", "ten"), ("RateLimit-Remaining", "1")])
        #expect(broken.readings.isEmpty)
        #expect(broken.problems.map(\.description) == ["RateLimit-Limit: is no integer"])
    }

    @Test("the current draft wins over older forms sent beside it")
    func precedence() {
        let report = Self.read([
            ("RateLimit-Policy", #""default";q=100"#), ("RateLimit", #""default";r=3"#),
            ("X-RateLimit-Limit", "100"), ("X-RateLimit-Remaining", "90"),
        ])
        #expect(report.readings.map(\.remaining) == [3])
    }

    // MARK: - X-RateLimit

    @Test("GitHub: x-ratelimit-reset is a Unix time (measured against Date), x-ratelimit-resource names the limit")
    func github() {
        // docs.github.com, "Rate limits for the REST API": x-ratelimit-limit, -remaining, -used, -reset (UTC epoch
        // seconds), -resource.
        let report = Self.read([
            ("Date", "Sun, 06 Dec 2026 09:30:00 GMT"), ("x-ratelimit-limit", "5000"), ("x-ratelimit-remaining", "250"),
            ("x-ratelimit-used", "4750"), ("x-ratelimit-reset", "1796550000"), ("x-ratelimit-resource", "core"),
        ])
        #expect(
            report.readings == [RateLimitReading(name: "core", limit: 5000, remaining: 250, resetAfter: .seconds(600))])
        #expect(report.readings.first?.used == 0.95)
    }

    @Test("X-RateLimit-Reset below 1e9 is a delay in seconds")
    func xRateLimitSeconds() {
        let report = Self.read([
            ("X-RateLimit-Limit", "60"), ("X-RateLimit-Remaining", "0"), ("X-RateLimit-Reset", "12.5"),
        ])
        #expect(
            report.readings == [
                RateLimitReading(name: "default", limit: 60, remaining: 0, resetAfter: .milliseconds(12_500))
            ])
        #expect(report.readings.first?.used == 1)
    }

    static let badXRateLimitCases: [([(String, String)], String)] = [
        (
            [("X-RateLimit-Limit", "-1"), ("X-RateLimit-Remaining", "0")],
            "X-RateLimit-Limit: is no non-negative integer"
        ),
        ([("X-RateLimit-Limit", "10"), ("X-RateLimit-Remaining", "11")], "more remaining (11) than its limit (10)"),
        ([("X-RateLimit-Limit", "10")], "X-RateLimit-Remaining: is missing beside X-RateLimit-Limit"),
        ([("X-RateLimit-Remaining", "1")], "X-RateLimit-Limit: is missing beside X-RateLimit-Remaining"),
        ([("X-RateLimit-Limit", "1e3"), ("X-RateLimit-Remaining", "1")], "X-RateLimit-Limit: is no non-negative"),
        ([("X-RateLimit-Limit", "99999999999999999999"), ("X-RateLimit-Remaining", "1")], "is no non-negative"),
    ]

    @Test("bad X-RateLimit values are ignored with a reason", arguments: Self.badXRateLimitCases)
    func badXRateLimit(_ pairs: [(String, String)], _ reason: String) {
        let report = Self.read(pairs)
        #expect(report.readings.isEmpty)
        #expect(report.problems.contains { $0.description.contains(reason) }, "\(report.problems)")
    }

    @Test("an unreadable reset keeps the reading, without a reset, and says why")
    func badReset() {
        let report = Self.read([
            ("X-RateLimit-Limit", "10"), ("X-RateLimit-Remaining", "5"), ("X-RateLimit-Reset", "later"),
        ])
        #expect(report.readings == [RateLimitReading(name: "default", limit: 10, remaining: 5)])
        #expect(report.problems.first?.description.hasPrefix("X-RateLimit-Reset: ") == true)
    }

    @Test("a limit of 0 is fully used; a name becomes a safe label")
    func edges() {
        let zero = Self.read([("X-RateLimit-Limit", "0"), ("X-RateLimit-Remaining", "0")])
        #expect(zero.readings.first?.used == 1)
        let named = Self.read([
            ("X-RateLimit-Limit", "1"), ("X-RateLimit-Remaining", "1"),
            ("X-RateLimit-Resource", " a\"b\\c d" + String(repeating: "x", count: 100)),
        ])
        let name = named.readings.first?.name ?? ""
        #expect(name.hasPrefix("abcd"))
        #expect(name.utf8.count == 64)
    }

    // MARK: - Configured vendor headers

    static let anthropic = ProxySettings.HeaderLimit(
        name: "requests", limitHeader: "anthropic-ratelimit-requests-limit",
        remainingHeader: "anthropic-ratelimit-requests-remaining", resetHeader: "anthropic-ratelimit-requests-reset"
    )
    static let openAITokens = ProxySettings.HeaderLimit(
        name: "tokens", limitHeader: "x-ratelimit-limit-tokens", remainingHeader: "x-ratelimit-remaining-tokens",
        resetHeader: "x-ratelimit-reset-tokens"
    )

    @Test("Anthropic's anthropic-ratelimit-requests-* (reset in RFC 3339) as a configured limit")
    func anthropicHeaders() {
        // docs.anthropic.com, "Rate limits", response headers: anthropic-ratelimit-requests-limit, -remaining,
        // -reset ("The time when the request rate limit will be fully replenished, provided in RFC 3339 format").
        let report = Self.read(
            [
                ("anthropic-ratelimit-requests-limit", "50"), ("anthropic-ratelimit-requests-remaining", "3"),
                ("anthropic-ratelimit-requests-reset", "2026-12-06T09:31:00Z"),
            ],
            limits: [Self.anthropic]
        )
        #expect(
            report.readings == [RateLimitReading(name: "requests", limit: 50, remaining: 3, resetAfter: .seconds(60))])
        #expect(report.readings.first?.used == 0.94)
    }

    @Test("OpenAI's x-ratelimit-*-tokens (reset as 6m0s) beside the built-in X-RateLimit headers")
    func openAIHeaders() {
        // platform.openai.com, "Rate limits", headers: x-ratelimit-limit-requests, x-ratelimit-limit-tokens,
        // x-ratelimit-remaining-*, x-ratelimit-reset-requests: 1s, x-ratelimit-reset-tokens: 6m0s.
        let report = Self.read(
            [
                ("x-ratelimit-limit-tokens", "150000"), ("x-ratelimit-remaining-tokens", "15000"),
                ("x-ratelimit-reset-tokens", "6m0s"), ("X-RateLimit-Limit", "100"), ("X-RateLimit-Remaining", "99"),
            ],
            limits: [Self.openAITokens]
        )
        #expect(report.readings.map(\.name) == ["default", "tokens"])
        #expect(report.readings.last?.resetAfter == .seconds(360))
        #expect(report.readings.last?.used == 0.9)
    }

    @Test("configured headers that are absent give nothing and no problem")
    func absent() {
        let report = Self.read([("Content-Type", "application/json")], limits: [Self.anthropic, Self.openAITokens])
        #expect(report.readings.isEmpty)
        #expect(report.problems.isEmpty)
    }
}
