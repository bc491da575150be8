import Foundation
import HTTPTypes
import Logging
import MetricsTestKit
import NIOCore
import OAuthTopConfig
import Primitives
import Testing
import TokenManager

@testable import OAuthTopRuntime

/// The guard as the proxy drives it: observe a response's headers, tee and store a cacheable body, decide on the
/// next request.
@Suite("Quota: the guard (cache, shed, critical, metrics)")
struct QuotaGuardTests {
    final class Fixture: Sendable {
        let metrics = TestMetrics()
        let sink = EventSink()
        let guardian: QuotaGuard

        init(
            quota: ProxySettings.Quota? = ProxySettings.Quota(criticalPaths: ["/v1/batches/*"]),
            cache: ProxySettings.Cache? = ProxySettings.Cache(
                maxEntries: 10, maxBytes: 1 << 16, maxBody: 64, ttl: .seconds(60)
            )
        ) {
            self.guardian = QuotaGuard(
                proxy: "api", provider: "demo", quota: quota, cache: cache, tokenHeader: "x-api-key",
                factory: self.metrics, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() },
                publish: self.sink.publish
            )
        }

        /// The upstream says `remaining` of 100 are left, resetting in `reset` seconds.
        func quota(remaining: Int, reset: Int = 30, at now: Int64 = QuotaTime.start) {
            self.guardian.observe(
                status: .ok,
                headers: .pairs([
                    ("RateLimit-Policy", #""requests";q=100;w=60"#),
                    ("RateLimit", #""requests";r=\#(remaining);t=\#(reset)"#),
                ]),
                now: now
            )
        }

        /// Passes a `200` response for `path` through the cache as the proxy would.
        func respond(
            _ path: String,
            body: String,
            method: HTTPRequest.Method = .get,
            request: HTTPFields = [:],
            headers: HTTPFields = .pairs([("Content-Type", "application/json"), ("Cache-Control", "max-age=60")]),
            chunks: Int = 2,
            at now: Int64 = QuotaTime.start
        ) -> Bool {
            guard
                var admission = self.guardian.cacheAdmission(
                    method: method, path: path, request: request, status: .ok, response: headers, now: now
                )
            else { return false }
            let bytes = Array(body.utf8)
            let size = max(1, (bytes.count + chunks - 1) / max(1, chunks))
            var offset = 0
            while offset < bytes.count {
                let end = min(bytes.count, offset + size)
                guard admission.append(ByteBuffer(bytes: bytes[offset..<end])) else { return false }
                offset = end
            }
            self.guardian.store(admission, now: now)
            return true
        }

        func decide(
            _ path: String,
            _ method: HTTPRequest.Method = .get,
            headers: HTTPFields = [:],
            at now: Int64 = QuotaTime.start
        ) -> QuotaDecision {
            self.guardian.decide(method: method, path: path, headers: headers, now: now)
        }

        var cacheHits: Int64 {
            (try? self.metrics.expectCounter(ProxyMetrics.cacheHits, [("proxy", "api")]).totalValue) ?? -1
        }
        var shed: Int64 {
            (try? self.metrics.expectCounter(ProxyMetrics.shed, [("proxy", "api")]).totalValue) ?? -1
        }
    }

    static func isForward(_ decision: QuotaDecision) -> Bool {
        if case .forward = decision { return true }
        return false
    }

    static func hit(_ decision: QuotaDecision) -> LocalResponse? {
        if case .cached(let response) = decision { return response }
        return nil
    }

    static func shed(_ decision: QuotaDecision) -> LocalResponse? {
        if case .shed(let response) = decision { return response }
        return nil
    }

    @Test("below the thresholds everything is forwarded, though cacheable responses are stored")
    func belowThresholds() {
        let fixture = Fixture()
        fixture.quota(remaining: 50)
        #expect(fixture.respond("/v1/items/1", body: #"{"id":1}"#))
        #expect(fixture.guardian.cacheUsage.entries == 1)
        #expect(Self.isForward(fixture.decide("/v1/items/1")))
        #expect(Self.isForward(fixture.decide("/v1/complete", .post)))
        #expect(fixture.cacheHits == 0)
        #expect(fixture.shed == 0)
    }

    @Test("at or above the cache threshold a fresh cached GET is answered from the cache, with Age and OAuthtop-Cache")
    func cacheHit() throws {
        let fixture = Fixture()
        #expect(fixture.respond("/v1/items/1?full=1", body: #"{"id":1,"name":"one"}"#))
        fixture.quota(remaining: 8, reset: 300, at: QuotaTime.at(.seconds(5)))
        let hit = try #require(Self.hit(fixture.decide("/v1/items/1?full=1", at: QuotaTime.at(.milliseconds(12_500)))))
        #expect(hit.status == .ok)
        #expect(String(buffer: hit.body) == #"{"id":1,"name":"one"}"#)
        #expect(hit.headers[.age] == "12")
        #expect(hit.headers[.oauthtopCache] == "hit")
        #expect(hit.headers[.contentType] == "application/json")
        #expect(fixture.cacheHits == 1)
        #expect(Self.isForward(fixture.decide("/v1/items/2")), "nothing cached for it")
        #expect(Self.isForward(fixture.decide("/v1/items/1")), "another query")
        #expect(Self.isForward(fixture.decide("/v1/items/1?full=1", headers: .pairs([("Cache-Control", "no-cache")]))))
        #expect(Self.isForward(fixture.decide("/v1/items/1?full=1", at: QuotaTime.at(.seconds(60)))), "stale")
        #expect(fixture.cacheHits == 1)
        #expect(fixture.sink.kinds == ["proxy_cache_mode"])
    }

    @Test("a HEAD is answered from a stored HEAD, without a body")
    func head() throws {
        let fixture = Fixture()
        let headers: HTTPFields = .pairs([("Content-Length", "5000"), ("Cache-Control", "max-age=60")])
        #expect(fixture.respond("/v1/items/1", body: "", method: .head, headers: headers))
        fixture.quota(remaining: 8)
        let hit = try #require(Self.hit(fixture.decide("/v1/items/1", .head)))
        #expect(hit.body.readableBytes == 0)
        #expect(hit.headers[.contentLength] == "5000")
        #expect(Self.isForward(fixture.decide("/v1/items/1", .get)))
    }

    @Test("at or above the shedding threshold non-critical requests get 429 with Retry-After and the JSON body")
    func shedding() throws {
        let fixture = Fixture()
        fixture.quota(remaining: 3, reset: 30)
        let refusal = try #require(
            Self.shed(fixture.decide("/v1/complete", .post, at: QuotaTime.at(.milliseconds(500)))))
        #expect(refusal.status == .tooManyRequests)
        #expect(refusal.headers[.retryAfter] == "30", "29.5 s rounded up")
        #expect(refusal.headers[.contentType] == "application/json")
        #expect(refusal.headers[.contentLength] == String(refusal.body.readableBytes))
        let body = try #require(JSONValue.parse(Array(buffer: refusal.body))?.object)
        #expect(body["error"] == .string("quota_shed"))
        #expect(body["proxy"] == .string("api"))
        #expect(body["quota_used"] == .number(0.97))
        #expect(body["limit"] == .string("requests"))
        #expect(body["threshold"] == .number(0.95))
        #expect(body["retry_after_s"] == .number(30))
        #expect(body["error_description"]?.string?.contains("97%") == true)
        #expect(fixture.shed == 1)
        #expect(fixture.sink.kinds == ["proxy_cache_mode", "proxy_shedding"])
    }

    @Test("critical requests pass at any quota: by header (not case-sensitive) and by path rule")
    func critical() {
        let fixture = Fixture()
        #expect(fixture.respond("/v1/batches/7", body: "cached"))
        fixture.quota(remaining: 0)
        #expect(Self.shed(fixture.decide("/v1/complete", .post)) != nil)
        #expect(
            Self.isForward(fixture.decide("/v1/complete", .post, headers: .pairs([("OAuthtop-Priority", "Critical")]))))
        #expect(Self.isForward(fixture.decide("/v1/batches/7")), "critical: forwarded, not answered from the cache")
        #expect(Self.isForward(fixture.decide("/v1/batches/8?x=1", .post)))
        #expect(fixture.guardian.isCritical(path: "/v1/batches/9", headers: [:]))
        #expect(fixture.shed == 1)
    }

    @Test("above the shedding threshold a cached GET is still answered from the cache rather than refused")
    func cacheBeforeShed() {
        let fixture = Fixture()
        #expect(fixture.respond("/v1/items/1", body: "one"))
        fixture.quota(remaining: 1)
        #expect(Self.hit(fixture.decide("/v1/items/1")) != nil)
        #expect(Self.shed(fixture.decide("/v1/items/2")) != nil)
        #expect(fixture.cacheHits == 1)
        #expect(fixture.shed == 1)
    }

    @Test("when the reading expires at its reset, requests are forwarded again and the episodes end")
    func recovery() {
        let fixture = Fixture()
        fixture.quota(remaining: 2, reset: 10)
        #expect(Self.shed(fixture.decide("/v1/complete", .post, at: QuotaTime.at(.seconds(9)))) != nil)
        #expect(Self.isForward(fixture.decide("/v1/complete", .post, at: QuotaTime.at(.seconds(10)))))
        #expect(
            fixture.sink.kinds == [
                "proxy_cache_mode", "proxy_shedding", "proxy_shedding_ended", "proxy_cache_mode_ended",
            ])
    }

    @Test("a body larger than max_body is abandoned while teeing and not stored")
    func maxBody() {
        let fixture = Fixture()
        #expect(!fixture.respond("/big", body: String(repeating: "x", count: 65), chunks: 3))
        #expect(fixture.guardian.cacheUsage.entries == 0)
        #expect(fixture.respond("/fits", body: String(repeating: "x", count: 64), chunks: 4))
        #expect(fixture.guardian.cacheUsage.entries == 1)
    }

    @Test("responses that are not cacheable get no admission")
    func notAdmitted() {
        let fixture = Fixture()
        #expect(!fixture.respond("/s", body: "data: 1\n\n", headers: .pairs([("Content-Type", "text/event-stream")])))
        #expect(!fixture.respond("/n", body: "x", headers: .pairs([("Cache-Control", "no-store")])))
        #expect(!fixture.respond("/p", body: "x", method: .post))
        #expect(
            fixture.guardian.cacheAdmission(
                method: .get, path: "/e", request: [:], status: .notFound, response: [:], now: QuotaTime.start
            ) == nil)
    }

    @Test("Vary on the token header or Authorization does not split entries: the proxy replaces them")
    func varyOnCredentials() {
        let fixture = Fixture()
        let headers: HTTPFields = .pairs([
            ("Cache-Control", "max-age=60"), ("Vary", "Authorization, X-Api-Key, Accept"),
        ])
        #expect(
            fixture.respond(
                "/v1/me", body: "me", request: .pairs([("Authorization", "Bearer local-secret-1"), ("Accept", "a")]),
                headers: headers
            ))
        fixture.quota(remaining: 8)
        #expect(Self.hit(fixture.decide("/v1/me", headers: .pairs([("Accept", "a")]))) != nil)
        #expect(Self.isForward(fixture.decide("/v1/me", headers: .pairs([("Accept", "b")]))))
    }

    @Test("without quota settings the gauge reads the built-in headers and nothing is cached or shed")
    func noQuotaSettings() throws {
        let fixture = Fixture(quota: nil, cache: nil)
        fixture.quota(remaining: 0)
        #expect(
            try fixture.metrics.expectGauge(ProxyMetrics.quotaUsed, [("proxy", "api"), ("limit", "requests")])
                .lastValue == 1)
        #expect(Self.isForward(fixture.decide("/v1/complete", .post)))
        #expect(!fixture.respond("/v1/items/1", body: "x"))
        #expect(fixture.sink.all.isEmpty)
    }

    @Test("thresholds switched off: no cache mode without a cache, no shedding without shed_above")
    func thresholdsOff() {
        let noShed = Fixture(quota: ProxySettings.Quota(shedAbove: nil))
        #expect(noShed.respond("/a", body: "a"))
        noShed.quota(remaining: 0)
        #expect(Self.hit(noShed.decide("/a")) != nil)
        #expect(Self.isForward(noShed.decide("/b", .post)))
        let noCache = Fixture(cache: nil)
        noCache.quota(remaining: 7)
        #expect(Self.isForward(noCache.decide("/a")))
        #expect(noCache.sink.all.isEmpty, "no cache mode without a cache")
    }

    @Test("a shed answer without a known reset has no Retry-After")
    func unknownReset() throws {
        let fixture = Fixture()
        fixture.guardian.observe(
            status: .tooManyRequests, headers: .pairs([("X-RateLimit-Limit", "10"), ("X-RateLimit-Remaining", "0")]),
            now: QuotaTime.start
        )
        let refusal = try #require(Self.shed(fixture.decide("/x", .post)))
        #expect(refusal.headers[.retryAfter] == nil)
        let body = try #require(JSONValue.parse(Array(buffer: refusal.body))?.object)
        #expect(body["retry_after_s"] == nil)
        #expect(body["limit"] == .string("default"))
    }

    @Test("the guard is safe to share: concurrent observe, decide and store")
    func concurrent() async {
        let fixture = Fixture()
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    for round in 0..<200 {
                        let now = QuotaTime.at(.milliseconds(Int64(round)))
                        fixture.quota(remaining: (task * 7 + round) % 101, at: now)
                        _ = fixture.respond("/r/\(round % 13)", body: "b\(round)", at: now)
                        _ = fixture.decide("/r/\(round % 13)", at: now)
                    }
                }
            }
        }
        #expect(fixture.guardian.cacheUsage.entries <= 10)
        // Episodes alternate: every end follows its start, whatever the interleaving.
        for (start, end) in [
            ("proxy_cache_mode", "proxy_cache_mode_ended"), ("proxy_shedding", "proxy_shedding_ended"),
        ] {
            var open = false
            for kind in fixture.sink.kinds where kind == start || kind == end {
                #expect(open == (kind == end), "\(kind) out of turn")
                open = kind == start
            }
        }
        #expect(fixture.sink.kinds.contains("proxy_shedding"))
    }
}
