import MetricsTestKit
import Testing
import TokenManager

@testable import OAuthTopRuntime

@Suite("Quota: tracker, gauge, thresholds and episodes")
struct QuotaTrackerTests {
    static func tracker(
        cacheAbove: Double? = 0.9,
        shedAbove: Double? = 0.95,
        metrics: TestMetrics = TestMetrics(),
        sink: EventSink = EventSink()
    ) -> QuotaTracker {
        QuotaTracker(
            proxy: "claude", provider: "anthropic", cacheAbove: cacheAbove, shedAbove: shedAbove, factory: metrics,
            publish: sink.publish
        )
    }

    static func reading(
        _ name: String = "requests", used: Int64, reset: Duration? = .seconds(60), window: Duration? = nil
    )
        -> RateLimitReading
    {
        RateLimitReading(name: name, limit: 100, remaining: 100 - used, resetAfter: reset, window: window)
    }

    @Test("used is the highest fraction across limits; the gauge holds each limit's last reading")
    func highestAcrossLimits() throws {
        let metrics = TestMetrics()
        let tracker = Self.tracker(metrics: metrics)
        let status = tracker.observe(
            [Self.reading("requests", used: 40), Self.reading("tokens", used: 70)], now: QuotaTime.start
        )
        #expect(status.used == 0.7)
        #expect(status.limit == "tokens")
        #expect(!status.caching && !status.shedding)
        let requests = try metrics.expectGauge(
            ProxyMetrics.quotaUsed, [("proxy", "claude"), ("limit", "requests")]
        )
        let tokens = try metrics.expectGauge(
            ProxyMetrics.quotaUsed, [("proxy", "claude"), ("limit", "tokens")])
        #expect(requests.lastValue == 0.4)
        #expect(tokens.lastValue == 0.7)
        tracker.observe([Self.reading("tokens", used: 10)], now: QuotaTime.at(.seconds(1)))
        #expect(close(tokens.lastValue, 0.1))
        #expect(tracker.status(now: QuotaTime.at(.seconds(1))).used == 0.4, "each limit keeps its last reading")
    }

    @Test("a reading expires at its reset: the limit counts as unknown (0) and its gauge reads 0")
    func expiresAtReset() throws {
        let metrics = TestMetrics()
        let tracker = Self.tracker(metrics: metrics)
        tracker.observe([Self.reading(used: 97, reset: .seconds(30))], now: QuotaTime.start)
        #expect(tracker.status(now: QuotaTime.at(.milliseconds(29_999))).used == 0.97)
        let after = tracker.status(now: QuotaTime.at(.seconds(30)))
        #expect(after.used == 0)
        #expect(after.limit == nil)
        #expect(
            try metrics.expectGauge(ProxyMetrics.quotaUsed, [("proxy", "claude"), ("limit", "requests")])
                .lastValue == 0)
        #expect(tracker.readings(now: QuotaTime.at(.seconds(30))).isEmpty)
    }

    @Test("a reading without a reset lasts its policy's window, else a minute")
    func withoutReset() {
        let tracker = Self.tracker()
        tracker.observe(
            [Self.reading("a", used: 50, reset: nil, window: .seconds(10)), Self.reading("b", used: 20, reset: nil)],
            now: QuotaTime.start
        )
        #expect(tracker.status(now: QuotaTime.at(.seconds(9))).used == 0.5)
        #expect(close(tracker.status(now: QuotaTime.at(.seconds(10))).used, 0.2))
        #expect(close(tracker.status(now: QuotaTime.at(.seconds(59))).used, 0.2))
        #expect(tracker.status(now: QuotaTime.at(QuotaTracker.unknownResetLifetime)).used == 0)
    }

    @Test("thresholds are crossed at or above them")
    func thresholds() {
        let tracker = Self.tracker()
        #expect(!tracker.observe([Self.reading(used: 89)], now: QuotaTime.start).caching)
        let cache = tracker.observe([Self.reading(used: 90)], now: QuotaTime.start)
        #expect(cache.caching && !cache.shedding)
        let shed = tracker.observe([Self.reading(used: 95)], now: QuotaTime.start)
        #expect(shed.caching && shed.shedding)
        #expect(shed.shedUntil == QuotaTime.at(.seconds(60)))
    }

    @Test("episodes: one event each way per threshold, in order, with the fields of the design")
    func episodes() throws {
        let sink = EventSink()
        let tracker = Self.tracker(sink: sink)
        tracker.observe([Self.reading(used: 50)], now: QuotaTime.start)
        #expect(sink.all.isEmpty)
        tracker.observe([Self.reading(used: 91)], now: QuotaTime.at(.seconds(1)))
        tracker.observe([Self.reading(used: 92)], now: QuotaTime.at(.seconds(2)))
        #expect(sink.kinds == ["proxy_cache_mode"])
        tracker.observe([Self.reading(used: 97)], now: QuotaTime.at(.seconds(3)))
        for second in 4..<10 {
            tracker.observe([Self.reading(used: 96 + Int64(second % 3))], now: QuotaTime.at(.seconds(Int64(second))))
        }
        #expect(sink.kinds == ["proxy_cache_mode", "proxy_shedding"], "once per episode, not per reading")
        tracker.observe([Self.reading(used: 10)], now: QuotaTime.at(.seconds(13)))
        #expect(sink.kinds == ["proxy_cache_mode", "proxy_shedding", "proxy_shedding_ended", "proxy_cache_mode_ended"])

        let shedding = try #require(sink.all.first { $0.kind == .proxyShedding })
        #expect(shedding.severity == .warning)
        #expect(shedding.provider == "anthropic")
        #expect(shedding.timestamp == QuotaTime.at(.seconds(3)))
        #expect(shedding["proxy"] == .string("claude"))
        #expect(shedding["quota_used"] == .double(0.97))
        #expect(shedding["limit"] == .string("requests"))
        #expect(shedding["threshold"] == .double(0.95))
        let ended = try #require(sink.all.first { $0.kind == .proxySheddingEnded })
        #expect(ended.severity == .info)
        #expect(ended["duration_ms"] == .int(10_000))
        #expect(ended["quota_used"] == .double(0.1))
        let cacheEnded = try #require(sink.all.first { $0.kind == .proxyCacheModeEnded })
        #expect(cacheEnded["duration_ms"] == .int(12_000))
    }

    @Test("straight from normal to shedding and back: both episodes start and end")
    func jump() {
        let sink = EventSink()
        let tracker = Self.tracker(sink: sink)
        tracker.observe([Self.reading(used: 99, reset: .seconds(5))], now: QuotaTime.start)
        #expect(sink.kinds == ["proxy_cache_mode", "proxy_shedding"])
        // No new reading: the old one expires at its reset, which ends both episodes when next asked.
        #expect(!tracker.status(now: QuotaTime.at(.seconds(5))).shedding)
        #expect(sink.kinds == ["proxy_cache_mode", "proxy_shedding", "proxy_shedding_ended", "proxy_cache_mode_ended"])
    }

    @Test("no thresholds configured: the gauge still reads, no episode")
    func noThresholds() throws {
        let sink = EventSink()
        let metrics = TestMetrics()
        let tracker = Self.tracker(cacheAbove: nil, shedAbove: nil, metrics: metrics, sink: sink)
        let status = tracker.observe([Self.reading(used: 100)], now: QuotaTime.start)
        #expect(status.used == 1)
        #expect(!status.caching && !status.shedding)
        #expect(sink.all.isEmpty)
        #expect(
            try metrics.expectGauge(ProxyMetrics.quotaUsed, [("proxy", "claude"), ("limit", "requests")])
                .lastValue == 1)
    }

    @Test("shedUntil is the latest reset of the limits over the threshold, unknown when one of them has none")
    func shedUntil() {
        let tracker = Self.tracker()
        let both = tracker.observe(
            [
                Self.reading("a", used: 96, reset: .seconds(10)), Self.reading("b", used: 99, reset: .seconds(40)),
                Self.reading("c", used: 10, reset: .seconds(500)),
            ],
            now: QuotaTime.start
        )
        #expect(both.shedUntil == QuotaTime.at(.seconds(40)))
        #expect(both.limit == "b")
        let unknown = tracker.observe([Self.reading("d", used: 97, reset: nil)], now: QuotaTime.start)
        #expect(unknown.shedding)
        #expect(unknown.shedUntil == nil)
    }

    @Test("at most 32 limits are kept per proxy (a label set the upstream cannot grow)")
    func boundedLimits() {
        let tracker = Self.tracker()
        let readings = (0..<40).map { Self.reading("limit-\($0)", used: Int64($0)) }
        tracker.observe(readings, now: QuotaTime.start)
        #expect(tracker.readings(now: QuotaTime.start).count == QuotaMetrics.maxLimits)
    }
}
