import Primitives
import Testing

@testable import OAuthTopRuntime

@Suite("Quota: reset values of rate-limit headers")
struct RateLimitResetTests {
    /// 2026-12-06T09:30:00Z.
    static let now = 1_796_549_400.0

    static func parse(_ text: String, serverNow: Double? = nil) -> Duration? {
        try? RateLimitReset.parse(text, serverNow: serverNow, localNow: Self.now).get()
    }

    @Test("delay seconds, whole or decimal (X-RateLimit-Reset: 12.5; Discord's X-RateLimit-Reset-After: 1.234)")
    func seconds() {
        #expect(Self.parse("30") == .seconds(30))
        #expect(Self.parse(" 12.5 ") == .milliseconds(12_500))
        #expect(Self.parse("0") == .zero)
    }

    @Test("a number of 1e9 or more is a Unix time (GitHub: x-ratelimit-reset: 1372700873), measured against Date")
    func unixTime() {
        #expect(Self.parse("1796549460") == .seconds(60))
        // The server's clock is 10 s behind ours: the reset is 60 s after its Date, not 50 s after our now.
        #expect(Self.parse("1796549450", serverNow: Self.now - 10) == .seconds(60))
        #expect(Self.parse("1796549401000") == .seconds(1), "milliseconds since the epoch")
        #expect(Self.parse("1796549000") == .zero, "a reset in the past is now")
    }

    @Test("Go durations (OpenAI: x-ratelimit-reset-requests: 6m0s, 1s, 20ms)")
    func goDurations() {
        #expect(Self.parse("6m0s") == .seconds(360))
        #expect(Self.parse("1s") == .seconds(1))
        #expect(Self.parse("20ms") == .milliseconds(20))
        #expect(Self.parse("1h2m3.5s") == .milliseconds(3_723_500))
        #expect(Self.parse("250us") == .microseconds(250))
        #expect(Self.parse("7m12s") == .seconds(432))
    }

    @Test("RFC 3339 (Anthropic: anthropic-ratelimit-requests-reset) and HTTP dates")
    func dates() {
        #expect(Self.parse("2026-12-06T09:31:00Z") == .seconds(60))
        #expect(Self.parse("Sun, 06 Dec 2026 09:32:00 GMT") == .seconds(120))
    }

    @Test(
        "unreadable values are problems, never negative or enormous",
        arguments: [
            "", "-5", "soon", "1e5", "inf", "NaN", "6x", "m", "1.2.3", "2026-13-45T99:99:99Z", "🙂",
        ])
    func unreadable(_ text: String) {
        guard case .failure(let problem) = RateLimitReset.parse(text, serverNow: nil, localNow: Self.now) else {
            Issue.record("\(text) was read")
            return
        }
        #expect(!problem.description.isEmpty)
    }

    @Test("a huge delay is cut to a year")
    func huge() {
        #expect(Self.parse("999999999") == RateLimitReset.longest)
        #expect(Self.parse("99999999h") == RateLimitReset.longest)
    }
}
