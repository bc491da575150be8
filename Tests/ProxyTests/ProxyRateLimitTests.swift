import Foundation
import OAuthTopConfig
import OAuthTopRuntime
import OAuthTopTestKit
import Primitives
import Testing
import TokenManager

@Suite("API proxy: Retry-After blocks the upstream")
struct ProxyRateLimitTests {
    @Test("a 429 with Retry-After: the upstream sees no request before it; the request is retried after it")
    func waits() async throws {
        try await withProxy { proxy in
            let secret = try proxy.secret
            proxy.upstream.script([.init(status: 429, headers: ["Retry-After": "2"], body: "slow down")])
            async let first = curl(proxy.url + "/v1/a", method: "POST", bearer: secret, ["--data", "{}"])
            // A second request arriving during the block waits for its end too.
            guard await eventually({ proxy.counter(ProxyMetrics.rateLimited) == 1 }) else {
                throw ProxyTestFailure("the first request's 429 never blocked the upstream")
            }
            let second = try await curl(proxy.url + "/v1/b", bearer: secret)
            #expect(try await first.status == 200)
            #expect(second.status == 200)
            let received = proxy.upstream.received
            #expect(received.count == 3)
            let limitedAt = try #require(received.first?.at)
            for later in received.dropFirst() {
                // Retry-After: 2 is whole seconds; allow the rounding of the upstream's own clock reading.
                #expect(later.at - limitedAt >= .milliseconds(1900), "a request reached the upstream during the block")
            }
            #expect(proxy.counter(ProxyMetrics.rateLimited) == 1)
            #expect(proxy.counter(ProxyMetrics.rateLimitWaits, [("action", "waited")]) == 1)
            let event = try #require(proxy.events.of(.proxyRateLimited).first)
            #expect(event["status"] == .int(429) && event["retry_after_s"] == .double(2))
        }
    }

    @Test("mode reject: a request during the block gets 429 with the remaining Retry-After at once")
    func rejects() async throws {
        var options = ProxyOptions()
        options.rateLimit = ProxySettings.RateLimit(whenBlocked: .reject, maxWait: .seconds(1))
        try await withProxy(options) { proxy in
            let secret = try proxy.secret
            proxy.upstream.script([.init(status: 429, headers: ["Retry-After": "30"], body: "slow down")])
            // The block (30 s) is beyond max_wait: the rate-limited request is not retried; its 429 goes back.
            let first = try await curl(proxy.url + "/v1/a", bearer: secret)
            #expect(first.status == 429 && first.body.trimmingCharacters(in: .newlines) == "slow down")
            let second = try await curl(proxy.url + "/v1/b", bearer: secret, ["-i"])
            #expect(second.status == 429)
            let retryAfter = second.body.split(separator: "\r\n").first { $0.lowercased().hasPrefix("retry-after:") }
            let seconds = try #require(retryAfter.flatMap { Int($0.split(separator: ":").last?.trimmingCharacters(in: .whitespaces) ?? "") })
            #expect((1...30).contains(seconds))
            #expect(second.body.contains("\"error\":\"rate_limited\""))
            #expect(proxy.upstream.received.count == 1)
            #expect(proxy.counter(ProxyMetrics.rateLimitWaits, [("action", "rejected")]) == 1)
            // A critical request is never refused locally: it would wait out the block (not tested to its end).
        }
    }

    @Test("on_rate_limit rewrites the retried body once: the upstream sees the new value on the retry only")
    func rewriteOnce() async throws {
        var options = ProxyOptions()
        options.onRateLimit = ProxySettings.BodyRewrite(jsonField: "model", from: "big-model", to: "small-model")
        try await withProxy(options) { proxy in
            proxy.upstream.script([
                .init(status: 429, headers: ["Retry-After": "1"]),
                .init(status: 429, headers: ["Retry-After": "1"], body: "still limited"),
            ])
            let answer = try await curl(
                proxy.url + "/v1/messages", method: "POST",
                bearer: try proxy.secret, ["-H", "Content-Type: application/json",
                 "--data", "{\"model\": \"big-model\", \"max_tokens\": 10, \"z\": [1.50, {\"model\": \"x\"}]}"]
            )
            // The retry met a 429 again: passed through, no second rewrite and no third request.
            #expect(answer.status == 429 && answer.body.trimmingCharacters(in: .newlines) == "still limited")
            let bodies = proxy.upstream.received.map(\.body)
            #expect(
                bodies == [
                    "{\"model\": \"big-model\", \"max_tokens\": 10, \"z\": [1.50, {\"model\": \"x\"}]}",
                    "{\"model\": \"small-model\", \"max_tokens\": 10, \"z\": [1.50, {\"model\": \"x\"}]}",
                ]
            )
            #expect(proxy.counter(ProxyMetrics.rewrites) == 1)
            let events = proxy.events.of(.proxyRewrite)
            #expect(events.count == 1)
            #expect(events.first?["from"] == .string("big-model") && events.first?["to"] == .string("small-model"))
        }
    }

    @Test("a body that is not JSON is retried unchanged and the event says so")
    func rewriteNotJSON() async throws {
        var options = ProxyOptions()
        options.onRateLimit = ProxySettings.BodyRewrite(jsonField: "model", to: "small")
        try await withProxy(options) { proxy in
            proxy.upstream.script([.init(status: 503, headers: ["Retry-After": "1"])])
            let answer = try await curl(
                proxy.url + "/v1/x", method: "POST", bearer: try proxy.secret, ["--data", "model=big"]
            )
            #expect(answer.status == 200)
            #expect(proxy.upstream.received.map(\.body) == ["model=big", "model=big"])
            #expect(proxy.events.of(.proxyRewrite).first?["result"] == .string("not_json"))
            #expect(proxy.counter(ProxyMetrics.rewrites) == 0)
        }
    }

    @Test("a request without a body (a GET) is retried with no rewrite and no rewrite event")
    func rewriteWithoutBody() async throws {
        var options = ProxyOptions()
        options.onRateLimit = ProxySettings.BodyRewrite(jsonField: "model", to: "small")
        try await withProxy(options) { proxy in
            proxy.upstream.script([.init(status: 429, headers: ["Retry-After": "1"])])
            let answer = try await curl(proxy.url + "/v1/items/1", bearer: try proxy.secret)
            #expect(answer.status == 200)
            #expect(proxy.upstream.received.count == 2, "the GET was retried once after the block")
            #expect(proxy.events.of(.proxyRewrite).isEmpty)
            #expect(proxy.counter(ProxyMetrics.rewrites) == 0)
        }
    }
}
