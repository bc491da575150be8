import AsyncHTTPClient
import DemoIdentityProvider
import Foundation
import NIOCore
import NIOHTTP1
import OAuthTopTestKit
import Testing

@Suite("The protected API: JSON, server-sent events and a quota, over real HTTP")
struct DemoAPITests {
    @Test("an item: JSON, cacheable for 30 s, with the quota's fields in both forms, on every listener")
    func item() async throws {
        try await withProvider(try apiConfiguration()) { harness in
            let token = try await harness.accessToken()
            let before = Int(Date().timeIntervalSince1970.rounded(.down))
            let first = try await harness.api("/items/42", token: token)
            #expect(first.status == 200, "\(first.text)")
            #expect(first.header("Content-Type")?.hasPrefix("application/json") == true)
            #expect(first.header("Cache-Control") == "max-age=30")
            #expect(first.json?["id"] as? String == "42")
            #expect(first.json?["owner"] as? String == testClient.id)
            let quota = try #require(QuotaFields(first), "\(first.headers)")
            #expect(quota.policy == "default" && quota.limit == 100 && quota.window == 60)
            #expect(quota.remaining == 99)
            #expect((1...60).contains(quota.reset))
            // X-RateLimit-Reset is the window's end in Unix seconds: never before the request plus `t`.
            #expect(quota.resetAt >= before + quota.reset)
            #expect(first.header("RateLimit-Policy") == #""default";q=100;w=60"#)
            // The listeners share one quota, as replicas of one API do.
            let second = try await harness.api("/items/43", token: token, on: harness.secondary)
            #expect(second.status == 200)
            #expect(QuotaFields(second)?.remaining == 98)
            let statistics = harness.provider.statistics().api
            #expect(statistics.requests == 2 && statistics[outcome: .ok] == 2)
        }
    }

    @Test("a completion names the model used and is counted by model; the prompt is never echoed")
    func complete() async throws {
        try await withProvider(try apiConfiguration()) { harness in
            let token = try await harness.accessToken()
            for model in ["demo-large", "demo-large", "demo-small"] {
                let reply = try await harness.complete(model: model, token: token)
                #expect(reply.status == 200, "\(reply.text)")
                #expect(reply.json?["model"] as? String == model)
                #expect(reply.header("Cache-Control") == "no-store")
                #expect(!reply.text.contains("Say hello."))
                #expect(QuotaFields(reply) != nil)
            }
            #expect(harness.provider.statistics().api.models == ["demo-large": 2, "demo-small": 1])
            #expect(harness.provider.apiRequests().map(\.model) == ["demo-large", "demo-large", "demo-small"])
        }
    }

    @Test(
        "a bad completion request is refused, saying what is wrong",
        arguments: [
            (#"{"prompt":"x"}"#, "application/json", 400, "'model' is missing"),
            (#"{"model":7,"prompt":"x"}"#, "application/json", 400, "'model' must be a string, found the number 7.0"),
            (
                #"{"model":"m","prompt":["secret words"]}"#, "application/json", 400,
                "'prompt' must be a string, found an array"
            ),
            ("[1]", "application/json", 400, "the body must be a JSON object, found an array of 1"),
            ("model=m", "application/x-www-form-urlencoded", 415, "the body must be application/json"),
            ("{", "application/json", 400, "the body is not JSON"),
        ]
    )
    func badCompletion(body: String, contentType: String, status: Int, message: String) async throws {
        try await withProvider(try apiConfiguration()) { harness in
            let token = try await harness.accessToken()
            let reply = try await harness.api(
                "/complete", method: .POST, token: token, json: body, contentType: contentType
            )
            #expect(reply.status == status)
            #expect(reply.error == "invalid_request")
            let said = try #require(reply.json?["message"] as? String)
            #expect(said.hasPrefix(message), "\(said)")
            #expect(!said.contains("secret words"))
            #expect(harness.provider.statistics().api[outcome: .badRequest] == 1)
        }
    }

    @Test("methods and routes: 405 with Allow, 404 for other paths and bad item ids")
    func routes() async throws {
        try await withProvider(try apiConfiguration()) { harness in
            let token = try await harness.accessToken()
            let get = try await harness.api("/complete", token: token)
            #expect(get.status == 405 && get.header("Allow") == "POST")
            let post = try await harness.api("/items/1", method: .POST, token: token, json: "{}")
            #expect(post.status == 405 && post.header("Allow") == "GET")
            for path in ["", "/", "/nothing", "/items", "/items/a/b", "/items/%2e%2e", "/items/..", "/stream/x"] {
                let reply = try await harness.api(path, token: token)
                #expect(reply.status == 404, "\(path)")
                #expect(QuotaFields(reply) != nil, "every answer carries the quota")
            }
            #expect(harness.provider.statistics().api[outcome: .notFound] == 8)
        }
    }

    @Test("no token, a bad token: 401 with a Bearer challenge, and the quota is not used")
    func unauthorized() async throws {
        try await withProvider(try apiConfiguration(quota: DemoAPIQuota(limit: 5))) { harness in
            let missing = try await harness.api("/items/1", token: nil)
            #expect(missing.status == 401)
            #expect(missing.header("WWW-Authenticate") == #"Bearer realm="oauthtop-demo""#)
            let bad = try await harness.api("/items/1", token: "not-a-jwt")
            #expect(bad.status == 401)
            #expect(bad.header("WWW-Authenticate")?.contains(#"error="invalid_token""#) == true)
            #expect(!bad.text.contains("not-a-jwt"))
            #expect(QuotaFields(bad)?.remaining == 5, "refusals carry the quota but use none of it")
            #expect(harness.provider.statistics().api[outcome: .unauthorized] == 2)
        }
    }

    @Test("the quota used up: 429 with Retry-After until the window resets, and a refusal uses nothing")
    func quota() async throws {
        // An hour's window: the test never crosses into the next one.
        let quota = DemoAPIQuota(limit: 3, window: .seconds(3600), policy: "requests")
        try await withProvider(try apiConfiguration(quota: quota)) { harness in
            let token = try await harness.accessToken()
            var remaining: [Int] = []
            for index in 1...3 {
                let reply = try await harness.api("/items/\(index)", token: token)
                #expect(reply.status == 200)
                remaining.append(QuotaFields(reply)?.remaining ?? -1)
            }
            #expect(remaining == [2, 1, 0])
            let refused = try await harness.api("/items/4", token: token)
            #expect(refused.status == 429)
            let fields = try #require(QuotaFields(refused))
            #expect(fields.policy == "requests" && fields.remaining == 0 && fields.window == 3600)
            let retryAfter = try #require(refused.header("Retry-After").flatMap(Int.init))
            #expect(retryAfter == fields.reset)
            let uptime = Int(harness.provider.uptime().wholeSecondsRoundedUp)
            #expect(retryAfter >= 3600 - uptime, "the wait reaches the window's end")
            #expect(refused.error == "rate_limited")
            let log = harness.provider.apiRequests()
            #expect(log.map(\.outcome) == [.ok, .ok, .ok, .quotaExceeded])
            #expect(log[3].retryAfterEnds == log[3].answered + .seconds(retryAfter))
            #expect(log.arrivedDuringRetryAfter().isEmpty)
            #expect(harness.provider.statistics().api[outcome: .quotaExceeded] == 1)
        }
    }

    @Test("a client that waits Retry-After gets through in the next window, and is never early")
    func honouredRetryAfter() async throws {
        // A 3-second window, so two requests in a row fall into one even on a busy machine.
        try await withProvider(try apiConfiguration(quota: DemoAPIQuota(limit: 1, window: .seconds(3)))) { harness in
            let token = try await harness.accessToken()
            // A window may end between two requests: ask until one is refused.
            var refused: Reply?
            for index in 0..<20 where refused == nil {
                let reply = try await harness.api("/items/\(index)", token: token)
                if reply.status == 429 { refused = reply }
            }
            let retryAfter = try #require(refused?.header("Retry-After").flatMap(Int.init))
            #expect((1...3).contains(retryAfter))
            try await Task.sleep(for: .seconds(retryAfter))
            let later = try await harness.api("/items/later", token: token)
            #expect(later.status == 200, "the wait reached into the next window")
            #expect(harness.provider.apiRequests().arrivedDuringRetryAfter().isEmpty)
        }
    }

    @Test("a client that does not wait is listed as early; a refused request uses no quota")
    func earlyRequestsAreListed() async throws {
        try await withProvider(try apiConfiguration(quota: DemoAPIQuota(limit: 1, window: .seconds(60)))) { harness in
            let token = try await harness.accessToken()
            #expect(try await harness.api("/items/1", token: token).status == 200)
            #expect(try await harness.api("/items/2", token: token).status == 429)
            #expect(try await harness.api("/items/3", token: token).status == 429)
            let early = harness.provider.apiRequests().arrivedDuringRetryAfter()
            #expect(early.map(\.path) == ["/api/v1/items/3"])
        }
    }

    @Test("without a quota there are no rate-limit fields and no 429")
    func noQuota() async throws {
        try await withProvider(try apiConfiguration(quota: nil)) { harness in
            let token = try await harness.accessToken()
            for index in 0..<5 {
                let reply = try await harness.api("/items/\(index)", token: token)
                #expect(reply.status == 200)
                #expect(reply.header("RateLimit") == nil && reply.header("X-RateLimit-Limit") == nil)
            }
        }
    }

    @Test("the stream: text/event-stream, each event arrives as it is produced, not at the end")
    func stream() async throws {
        try await withProvider(try apiConfiguration()) { harness in
            let token = try await harness.accessToken()
            let endpoint = harness.primary
            var request = HTTPClientRequest(
                url: "http://\(endpoint.host):\(endpoint.port)/api/v1/stream?events=4&interval_ms=300"
            )
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            let response = try await harness.client.execute(request, timeout: .seconds(30))
            #expect(response.status == .ok)
            #expect(response.headers.first(name: "Content-Type") == "text/event-stream")
            #expect(response.headers.first(name: "RateLimit") != nil)
            let clock = ContinuousClock()
            var arrivals: [(ContinuousClock.Instant, String)] = []
            for try await chunk in response.body {
                arrivals.append((clock.now, String(buffer: chunk)))
            }
            let text = arrivals.map(\.1).joined()
            let events = text.components(separatedBy: "\n\n").filter { !$0.isEmpty }
            #expect(events.count == 4, "\(text)")
            #expect(events.first?.hasPrefix("id: 1\ndata: {\"index\":1,\"events\":4,\"sent_ms\":") == true)
            // The first event was read long before the stream ended: the events were not buffered.
            let first = try #require(arrivals.first { $0.1.contains("id: 1\n") }?.0)
            let last = try #require(arrivals.last?.0)
            #expect(last - first >= .milliseconds(800), "three intervals of 300 ms lie between the first and the last")
            #expect(arrivals.count >= 2)
            let sent = events.compactMap { event -> Int? in
                let lines = event.split(separator: "\n")
                guard let data = lines.first(where: { $0.hasPrefix("data: ") }) else { return nil }
                let object = try? JSONSerialization.jsonObject(with: Data(data.dropFirst(6).utf8)) as? [String: Any]
                return object?["sent_ms"] as? Int
            }
            #expect(sent.count == 4)
            #expect(zip(sent, sent.dropFirst()).allSatisfy { $1 - $0 >= 290 }, "\(sent)")
            #expect(harness.provider.statistics().api.streamEvents == 4)
        }
    }

    @Test(
        "bad stream parameters are refused, naming the parameter",
        arguments: [
            ("events=0", "the parameter 'events' must be an integer from 1 to 1000, found '0'"),
            ("events=many", "the parameter 'events' must be an integer from 1 to 1000, found 'many'"),
            ("interval_ms=20000", "the parameter 'interval_ms' must be an integer from 0 to 10000, found '20000'"),
            ("events=1&events=2", "the parameter 'events' appears more than once"),
        ]
    )
    func badStream(query: String, message: String) async throws {
        try await withProvider(try apiConfiguration()) { harness in
            let token = try await harness.accessToken()
            let reply = try await harness.api("/stream?\(query)", token: token)
            #expect(reply.status == 400)
            #expect(reply.json?["message"] as? String == message)
        }
    }

    @Test(
        "an API configuration that cannot be served is refused at start, naming the field",
        arguments: [
            (DemoAPIConfiguration(pathPrefix: "api"), "api.pathPrefix: 'api' must start with '/'"),
            (DemoAPIConfiguration(pathPrefix: "/oauth"), "api.pathPrefix: '/oauth' contains the token endpoint's path"),
            (DemoAPIConfiguration(quota: DemoAPIQuota(limit: 0)), "api.quota.limit: must be at least 1, found 0"),
            (
                DemoAPIConfiguration(quota: DemoAPIQuota(window: .milliseconds(1500))),
                "api.quota.window: must be whole seconds, at least 1s"
            ),
            (DemoAPIConfiguration(quota: DemoAPIQuota(policy: "a\"b")), "api.quota.policy: must be non-empty"),
        ]
    )
    func invalidConfiguration(api: DemoAPIConfiguration, message: String) throws {
        var configuration = try testConfiguration()
        configuration.api = api
        let error = #expect(throws: DemoIdentityProviderError.self) { try configuration.validate() }
        #expect(error?.message.hasPrefix(message) == true, "\(error?.message ?? "")")
    }

}
