import AsyncHTTPClient
import DemoIdentityProvider
import Foundation
import NIOCore
import NIOHTTP1
import OAuthTopTestKit
import Testing

@Suite("The protected API's faults: revoked tokens, rate limits and errors, over real HTTP")
struct APIFaultTests {
    @Test("revoke_token: the presented token is refused now and later, everywhere; a new token works")
    func revokeToken() async throws {
        let schedule = FaultSchedule(faults: [Fault(kind: .revokeToken, count: 1)])
        try await withProvider(try apiConfiguration(), schedule: schedule) { harness in
            let revoked = try await harness.accessToken()
            let first = try await harness.complete(model: "demo-large", token: revoked)
            #expect(first.status == 401)
            let challenge = try #require(first.header("WWW-Authenticate"))
            #expect(challenge.hasPrefix(#"Bearer realm="oauthtop-demo", error="invalid_token""#), "\(challenge)")
            #expect(challenge.contains("revoked"))
            #expect(!first.text.contains(revoked))
            // The fault is used up, but the token stays revoked: on the API (any listener), the resource, and
            // introspection.
            let again = try await harness.api("/items/1", token: revoked, on: harness.secondary)
            #expect(again.status == 401)
            #expect(again.header("WWW-Authenticate")?.contains(#"error="invalid_token""#) == true)
            #expect(try await self.resourceStatus(harness, token: revoked) == 401)
            #expect(try await self.introspect(harness, token: revoked) == false)
            // A client that gets a new token carries on.
            let fresh = try await harness.accessToken()
            #expect(try await harness.complete(model: "demo-large", token: fresh).status == 200)
            #expect(try await self.introspect(harness, token: fresh) == true)
            let statistics = harness.provider.statistics()
            #expect(statistics.api[outcome: .revoked] == 1)
            #expect(statistics.api[outcome: .unauthorized] == 1)
            #expect(statistics.api.revokedTokens == 1)
            #expect(statistics.faultHits == [1])
            #expect(!harness.logs.lines.joined().contains(revoked), "the token is never logged")
        }
    }

    @Test("revokeAccessToken revokes one token as the fault does")
    func revokeByCall() async throws {
        try await withProvider(try apiConfiguration()) { harness in
            let token = try await harness.accessToken()
            #expect(try await harness.api("/items/1", token: token).status == 200)
            #expect(await harness.provider.revokeAccessToken(token))
            #expect(try await harness.api("/items/1", token: token).status == 401)
            #expect(await harness.provider.revokeAccessToken("not-a-token") == false)
        }
    }

    @Test("api_rate_limit: 429 with Retry-After for `count` requests, then normal answers")
    func rateLimit() async throws {
        let schedule = FaultSchedule(faults: [
            // Long enough that the two later requests come before it ends however slowly the machine runs.
            Fault(kind: .apiRateLimit(retryAfter: .milliseconds(59_500), status: 429, httpDate: false), count: 2)
        ])
        try await withProvider(try apiConfiguration(), schedule: schedule) { harness in
            let token = try await harness.accessToken()
            let limited = try await harness.api("/items/1", token: token)
            #expect(limited.status == 429)
            #expect(limited.header("Retry-After") == "60", "whole seconds, rounded up")
            #expect(limited.error == "rate_limited")
            #expect(QuotaFields(limited)?.remaining == 100, "a faulted request uses no quota")
            let early = try await harness.api("/items/2", token: token)
            #expect(early.status == 429, "the fault's second request")
            let normal = try await harness.api("/items/3", token: token)
            #expect(normal.status == 200)
            #expect(harness.provider.statistics().api[outcome: .faultRateLimit] == 2)
            // Both later requests came before the first Retry-After ended: a client that did that is caught.
            let caught = harness.provider.apiRequests().arrivedDuringRetryAfter()
            #expect(caught.map(\.path) == ["/api/v1/items/2", "/api/v1/items/3"])
        }
    }

    @Test("api_rate_limit: 503 with Retry-After as an IMF-fixdate in the future")
    func rateLimitHTTPDate() async throws {
        let schedule = FaultSchedule(faults: [
            Fault(kind: .apiRateLimit(retryAfter: .seconds(120), status: 503, httpDate: true), count: 1)
        ])
        try await withProvider(try apiConfiguration(), schedule: schedule) { harness in
            let token = try await harness.accessToken()
            let before = Date()
            let reply = try await harness.api("/items/1", token: token)
            #expect(reply.status == 503)
            let value = try #require(reply.header("Retry-After"))
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
            let date = try #require(formatter.date(from: value), "not an IMF-fixdate: \(value)")
            #expect(date.timeIntervalSince(before) >= 119, "never earlier than the wait it stands for")
            let log = try #require(harness.provider.apiRequests().first)
            #expect(log.retryAfterEnds == log.answered + .seconds(120))
        }
    }

    @Test("api_error: the configured status on the named endpoint only, within its window", arguments: [500, 502, 401])
    func error(status: Int) async throws {
        let schedule = FaultSchedule(faults: [
            Fault(kind: .apiError(status: status), count: 2, endpoints: ["primary"]),
            Fault(kind: .apiError(status: 500), start: .seconds(3600)),
        ])
        try await withProvider(try apiConfiguration(), schedule: schedule) { harness in
            let token = try await harness.accessToken()
            #expect(try await harness.api("/items/1", token: token, on: harness.secondary).status == 200)
            for _ in 0..<2 {
                let reply = try await harness.complete(model: "m", token: token)
                #expect(reply.status == status)
                #expect(reply.error == "injected_fault")
            }
            #expect(try await harness.complete(model: "m", token: token).status == 200, "count used up")
            let statistics = harness.provider.statistics()
            #expect(statistics.api[outcome: .faultError] == 2)
            #expect(statistics.api.models == ["m": 1], "only answered completions count by model")
            #expect(statistics.faultHits == [2, 0], "the later window has not begun")
        }
    }

    @Test("token faults do not touch API requests, and API faults do not touch token requests")
    func separateKinds() async throws {
        let schedule = FaultSchedule(faults: [
            Fault(kind: .apiError(status: 502), count: 1),
            Fault(kind: .httpError(status: 500), count: 1),
        ])
        try await withProvider(try apiConfiguration(), schedule: schedule) { harness in
            #expect(try await harness.clientCredentials().status == 500, "the token fault")
            let token = try await harness.accessToken()
            #expect(try await harness.api("/items/1", token: token).status == 502, "the API fault")
            #expect(try await harness.api("/items/1", token: token).status == 200)
            #expect(harness.provider.statistics().faultHits == [1, 1])
        }
    }

    @Test("an unauthenticated request does not use up an API fault's count")
    func faultsNeedAToken() async throws {
        let schedule = FaultSchedule(faults: [Fault(kind: .apiError(status: 502), count: 1)])
        try await withProvider(try apiConfiguration(), schedule: schedule) { harness in
            let anonymous = try await harness.api("/items/1", token: nil)
            #expect(anonymous.status == 401)
            let token = try await harness.accessToken()
            #expect(try await harness.api("/items/1", token: token).status == 502)
        }
    }

    private func resourceStatus(_ harness: Harness, token: String) async throws -> Int {
        var request = HTTPClientRequest(url: "http://\(harness.primary.host):\(harness.primary.port)/api/resource")
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        let response = try await harness.client.execute(request, timeout: .seconds(10))
        _ = try await response.body.collect(upTo: 1 << 20)
        return Int(response.status.code)
    }

    private func introspect(_ harness: Harness, token: String) async throws -> Bool? {
        var request = HTTPClientRequest(
            url: "http://\(harness.primary.host):\(harness.primary.port)/oauth/introspect"
        )
        request.method = .POST
        request.headers.add(name: "Authorization", value: basicHeader(id: testClient.id, secret: testClient.secret))
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: "token=" + formComponent(token)))
        let response = try await harness.client.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        let object = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
        return object?["active"] as? Bool
    }
}
