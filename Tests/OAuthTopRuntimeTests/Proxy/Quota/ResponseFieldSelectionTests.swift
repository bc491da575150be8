import HTTPTypes
import Logging
import MetricsTestKit
import OAuthTopConfig
import Testing

@testable import OAuthTopRuntime

/// The quota hooks tell the proxy's wire path which response fields they read (it makes only those); reading only
/// those must give the same readings as reading all of them.
@Suite("Quota: the response fields the hooks read")
struct ResponseFieldSelectionTests {
    static let limit = ProxySettings.HeaderLimit(
        name: "tokens", limitHeader: "Vendor-Tokens-Limit", remainingHeader: "vendor-tokens-remaining",
        resetHeader: "Vendor-Tokens-Reset"
    )

    static func guardian(cache: ProxySettings.Cache? = nil) -> QuotaGuard {
        QuotaGuard(
            proxy: "api", provider: "demo", quota: ProxySettings.Quota(limits: [Self.limit]), cache: cache,
            factory: TestMetrics(), logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }, publish: { _ in }
        )
    }

    @Test("names in any case, and names containing ratelimit, are selected; others are not")
    func selects() {
        let selection = Self.guardian().rateLimitFields
        for name in ["date", "ratelimit", "ratelimit-policy", "x-ratelimit-remaining", "anthropic-ratelimit-requests-limit",
            "vendor-tokens-limit", "vendor-tokens-remaining", "vendor-tokens-reset"]
        {
            #expect(selection.selects(name), "\(name)")
        }
        for name in ["server", "content-type", "content-length", "etag", "rate", "limit", "vendor-tokens"] {
            #expect(!selection.selects(name), "\(name)")
        }
    }

    @Test("the wire path's matcher selects on the bytes, in any case, what the selection selects")
    func matcher() {
        let selection = Self.guardian().rateLimitFields
        let matcher = WireFieldMatcher(selection)
        for name in ["Date", "DATE", "RateLimit", "X-RateLimit-Remaining", "anthropic-ratelimit-requests-limit",
            "Vendor-Tokens-Limit", "VENDOR-TOKENS-REMAINING", "Server", "Content-Type", "ratelimi", "Dates", "x"]
        {
            let bytes = Array(name.utf8)
            let selected = bytes.withUnsafeBytes { matcher.selects($0, 0..<bytes.count) }
            #expect(selected == selection.selects(name.lowercased()), "\(name)")
        }
    }

    @Test("with a response cache the hooks read every field (the cache stores them); without, only the rate-limit ones")
    func cacheReadsAll() {
        let cache = ProxySettings.Cache(maxEntries: 10, maxBytes: 1 << 16, maxBody: 64, ttl: .seconds(60))
        #expect(QuotaHooks(Self.guardian(cache: cache), clock: .system).observedResponseFields == nil)
        #expect(QuotaHooks(Self.guardian(), clock: .system).observedResponseFields == Self.guardian().rateLimitFields)
    }

    @Test(
        "the readings of the selected fields equal the readings of all of them",
        arguments: [
            [("RateLimit-Policy", #""requests";q=100;w=60"#), ("RateLimit", #""requests";r=40;t=30"#)],
            [("X-RateLimit-Limit", "100"), ("X-RateLimit-Remaining", "7"), ("X-RateLimit-Reset", "Sun, 06 Dec 2026 23:59:00 GMT")],
            [("Vendor-Tokens-Limit", "1000"), ("Vendor-Tokens-Remaining", "10"), ("Vendor-Tokens-Reset", "60s")],
            [("Server", "nginx"), ("Content-Type", "application/json")],
        ]
    )
    func sameReadings(rateLimit: [(String, String)]) {
        let all: [(String, String)] =
            [("Server", "nginx"), ("Date", "Sun, 06 Dec 2026 23:58:00 GMT"), ("ETag", "\"1\"")] + rateLimit
            + [("Content-Length", "2")]
        let fields = HTTPFields.pairs(all)
        let selection = Self.guardian().rateLimitFields
        let selected = HTTPFields(fields.filter { selection.selects($0.name.canonicalName) })
        let reader = RateLimitHeaders(limits: [Self.limit])
        let now: Int64 = 1_796_601_480_000_000_000
        #expect(reader.read(selected, localNow: now) == reader.read(fields, localNow: now))
        #expect(selected.count < fields.count)
    }
}
