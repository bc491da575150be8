import Foundation
import OAuthTopConfig
import OAuthTopRuntime
import OAuthTopTestKit
import Testing
import TokenManager

/// Quota awareness end to end: curl through the proxy to the scripted upstream, whose answers carry the IETF
/// `RateLimit` fields (docs/proxy-quota.md).
@Suite("API proxy: quota (cache and shedding near the upstream's limit)")
struct ProxyQuotaTests {
    static var options: ProxyOptions {
        var options = ProxyOptions()
        options.quota = ProxySettings.Quota(cacheAbove: 0.9, shedAbove: 0.95, criticalPaths: ["/v1/batches/*"])
        options.cache = ProxySettings.Cache(maxEntries: 100, maxBytes: 1 << 20, maxBody: 1 << 16, ttl: .seconds(60))
        return options
    }

    /// A cacheable JSON answer saying `remaining` of 100 requests are left for a minute.
    static func answer(remaining: Int, body: String = #"{"item":1}"#) -> ScriptedUpstream.Answer {
        ScriptedUpstream.Answer(
            status: 200,
            headers: [
                "RateLimit-Policy": #""requests";q=100;w=60"#, "RateLimit": #""requests";r=\#(remaining);t=60"#,
                "Cache-Control": "max-age=60", "Content-Type": "application/json",
            ],
            body: body
        )
    }

    @Test("at 92% used a GET is answered from the cache: the upstream sees no request; Age and OAuthtop-Cache: hit")
    func cacheAbove() async throws {
        try await withProxy(Self.options) { proxy in
            let secret = try proxy.secret
            proxy.upstream.script([Self.answer(remaining: 8)])
            let first = try await curl(proxy.url + "/v1/items/1?full=1", bearer: secret)
            #expect(first.status == 200 && first.body == #"{"item":1}"#)
            #expect(proxy.upstream.received.count == 1)
            let second = try await curl(proxy.url + "/v1/items/1?full=1", bearer: secret, ["-i"])
            #expect(second.status == 200)
            #expect(second.body.lowercased().contains("oauthtop-cache: hit"))
            #expect(second.body.lowercased().contains("\r\nage: "))
            #expect(second.body.hasSuffix(#"{"item":1}"#))
            #expect(proxy.upstream.received.count == 1, "answered from the cache")
            #expect(proxy.counter(ProxyMetrics.cacheHits) == 1)
            #expect(proxy.events.of(.proxyCacheMode).count == 1)
            let gauge = try proxy.metrics.expectGauge(
                ProxyMetrics.quotaUsed, [("proxy", "api"), ("limit", "requests")])
            #expect(gauge.lastValue.map { abs($0 - 0.92) < 1e-9 } == true)
        }
    }

    @Test("at 97% used non-critical requests get 429 locally; critical ones (header, path rule) reach the upstream")
    func shedAbove() async throws {
        try await withProxy(Self.options) { proxy in
            let secret = try proxy.secret
            proxy.upstream.script([Self.answer(remaining: 3)])
            #expect(try await curl(proxy.url + "/v1/complete", method: "POST", bearer: secret, ["--data", "{}"]).status == 200)
            let refused = try await curl(proxy.url + "/v1/complete", method: "POST", bearer: secret, ["--data", "{}", "-i"])
            #expect(refused.status == 429)
            #expect(refused.body.contains(#""error":"quota_shed""#))
            #expect(refused.body.contains(#""quota_used":0.97"#))
            #expect(refused.body.lowercased().contains("retry-after: "))
            #expect(proxy.upstream.received.count == 1, "the shed request never reached the upstream")

            let critical = try await curl(
                proxy.url + "/v1/complete", method: "POST",
                bearer: secret, ["--data", "{}", "-H", "OAuthtop-Priority: CRITICAL"]
            )
            #expect(critical.status == 200)
            #expect(!critical.body.lowercased().contains("oauthtop-priority"), "the critical header is not forwarded")
            let byPath = try await curl(proxy.url + "/v1/batches/9", method: "POST", bearer: secret, ["--data", "{}"])
            #expect(byPath.status == 200)
            #expect(proxy.upstream.received.count == 3)
            #expect(proxy.counter(ProxyMetrics.shed) == 1)
            #expect(proxy.counter(ProxyMetrics.requests, [("class", "4xx")]) == 1)
            let shedding = try #require(proxy.events.of(.proxyShedding).first)
            #expect(shedding["quota_used"] == .double(0.97) && shedding["limit"] == .string("requests"))
        }
    }

    @Test("at 50% used nothing is cached or shed")
    func belowThresholds() async throws {
        try await withProxy(Self.options) { proxy in
            let secret = try proxy.secret
            proxy.upstream.script([Self.answer(remaining: 50), Self.answer(remaining: 49)])
            #expect(try await curl(proxy.url + "/v1/items/1", bearer: secret).status == 200)
            let second = try await curl(proxy.url + "/v1/items/1", bearer: secret, ["-i"])
            #expect(second.status == 200)
            #expect(!second.body.lowercased().contains("oauthtop-cache"))
            #expect(try await curl(proxy.url + "/v1/complete", method: "POST", bearer: secret, ["--data", "{}"]).status == 200)
            #expect(proxy.upstream.received.count == 3)
            #expect(proxy.counter(ProxyMetrics.cacheHits) == 0)
            #expect(proxy.counter(ProxyMetrics.shed) == 0)
            #expect(proxy.events.of(.proxyCacheMode).isEmpty && proxy.events.of(.proxyShedding).isEmpty)
        }
    }
}
