import DemoIdentityProvider
import Foundation
import OAuthTopTestKit
import Testing

@Suite("Scheduled faults")
struct FaultTests {
    @Test("slow: the answer comes after at least the delay, and is normal")
    func slow() async throws {
        let schedule = FaultSchedule(faults: [Fault(kind: .slow(delay: .milliseconds(300)), count: 1)])
        try await withProvider(schedule: schedule) { harness in
            let clock = ContinuousClock()
            let started = clock.now
            let reply = try await harness.clientCredentials()
            #expect(clock.now - started >= .milliseconds(300))
            #expect(reply.status == 200)
            let counts = harness.provider.statistics()[endpoint: "primary"]
            #expect(counts.slowed == 1)
            #expect(counts.issued == 1)
        }
    }

    @Test("error: the configured status with a small body", arguments: [500, 502, 503])
    func error(status: Int) async throws {
        let schedule = FaultSchedule(faults: [Fault(kind: .httpError(status: status))])
        try await withProvider(schedule: schedule) { harness in
            let reply = try await harness.clientCredentials()
            #expect(reply.status == status)
            #expect(reply.body.count < 200)
            #expect(reply.json?["access_token"] == nil)
            #expect(harness.provider.statistics()[endpoint: "primary"].errorStatus == 1)
            #expect(harness.provider.statistics().accessTokensIssued == 0)
        }
    }

    @Test("rate_limit: 429 with Retry-After in whole seconds, rounded up")
    func rateLimitSeconds() async throws {
        let fault = Fault(kind: .rateLimit(retryAfter: .milliseconds(2500), status: 429, httpDate: false))
        try await withProvider(schedule: FaultSchedule(faults: [fault])) { harness in
            let reply = try await harness.clientCredentials()
            #expect(reply.status == 429)
            #expect(reply.header("Retry-After") == "3")
            #expect(harness.provider.statistics()[endpoint: "primary"].rateLimited == 1)
        }
    }

    @Test("rate_limit: 503 with Retry-After as an IMF-fixdate in the future")
    func rateLimitHTTPDate() async throws {
        let fault = Fault(kind: .rateLimit(retryAfter: .seconds(120), status: 503, httpDate: true))
        try await withProvider(schedule: FaultSchedule(faults: [fault])) { harness in
            let reply = try await harness.clientCredentials()
            #expect(reply.status == 503)
            let value = try #require(reply.header("Retry-After"))
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
            let date = try #require(formatter.date(from: value), "not an IMF-fixdate: \(value)")
            let ahead = date.timeIntervalSinceNow
            #expect(ahead > 110 && ahead <= 121)
        }
    }

    @Test("invalid_grant: 400 invalid_grant, and the presented refresh token is revoked for good")
    func invalidGrant() async throws {
        let schedule = FaultSchedule(faults: [Fault(kind: .invalidGrant, count: 1)])
        try await withProvider(schedule: schedule) { harness in
            let token = harness.provider.issueRefreshToken(clientID: testClient.id)
            let first = try await harness.token([("grant_type", "refresh_token"), ("refresh_token", token)])
            #expect(first.status == 400)
            #expect(first.error == "invalid_grant")
            let retry = try await harness.token([("grant_type", "refresh_token"), ("refresh_token", token)])
            #expect(retry.error == "invalid_grant", "the fault is used up, but the token stays revoked")
            #expect(harness.provider.statistics()[endpoint: "primary"].invalidGrant == 2)
            #expect(harness.provider.statistics().faultHits == [1])
        }
    }

    @Test("bad_response: a 200 whose body is broken in the named way", arguments: BadTokenResponse.all)
    func badResponse(kind: BadTokenResponse) async throws {
        let schedule = FaultSchedule(faults: [Fault(kind: .badResponse(kind))])
        try await withProvider(schedule: schedule) { harness in
            let reply = try await harness.clientCredentials()
            #expect(reply.status == 200)
            let parsed = try? JSONSerialization.jsonObject(with: Data(reply.body), options: [.fragmentsAllowed])
            let object = parsed as? [String: Any]
            switch kind {
            case .html:
                #expect(reply.header("Content-Type")?.hasPrefix("text/html") == true)
                #expect(reply.text.contains("<html>"))
                #expect(parsed == nil)
            case .notJSON:
                #expect(!reply.body.isEmpty)
                #expect(parsed == nil)
            case .notObject:
                #expect(parsed != nil)
                #expect(object == nil)
            case .emptyBody:
                #expect(reply.body.isEmpty)
            case .missingAccessToken:
                let object = try #require(object)
                #expect(object["access_token"] == nil)
                #expect(object["expires_in"] != nil)
            case .missingExpiresIn:
                let object = try #require(object)
                let token = try #require(object["access_token"] as? String)
                #expect(token.split(separator: ".").count != 3, "opaque, so its lifetime cannot be read from it")
                #expect(object["expires_in"] == nil)
            case .negativeExpiresIn:
                let expiresIn = try #require(object?["expires_in"] as? Int)
                #expect(expiresIn < 0)
            case .absurdExpiresIn:
                let expiresIn = try #require(object?["expires_in"] as? Int)
                #expect(expiresIn >= 10 * 365 * 86_400)
            case .wrongTokenType:
                let tokenType = try #require(object?["token_type"] as? String)
                #expect(tokenType.lowercased() != "bearer")
                #expect(object?["access_token"] is String)
            default:
                Issue.record("no check for \(kind)")
            }
            let statistics = harness.provider.statistics()
            #expect(statistics[endpoint: "primary"].badResponse == 1)
            #expect(statistics.accessTokensIssued == 0)
        }
    }

    @Test("a fault with a count applies to exactly that many requests")
    func countLimited() async throws {
        let schedule = FaultSchedule(faults: [Fault(kind: .httpError(status: 500), count: 2)])
        try await withProvider(schedule: schedule) { harness in
            var statuses: [Int] = []
            for _ in 0..<4 {
                statuses.append(try await harness.clientCredentials().status)
            }
            #expect(statuses == [500, 500, 200, 200])
            #expect(harness.provider.statistics().faultHits == [2])
        }
    }

    @Test("the first matching fault in schedule order decides; a used-up one steps aside")
    func firstMatchDecides() async throws {
        let schedule = FaultSchedule(faults: [
            Fault(kind: .httpError(status: 502), count: 1),
            Fault(kind: .rateLimit(retryAfter: .seconds(1), status: 429, httpDate: false), count: 1),
            Fault(kind: .httpError(status: 503), start: .seconds(3600)),
        ])
        try await withProvider(schedule: schedule) { harness in
            var statuses: [Int] = []
            for _ in 0..<3 {
                statuses.append(try await harness.clientCredentials().status)
            }
            #expect(statuses == [502, 429, 200])
            #expect(harness.provider.statistics().faultHits == [1, 1, 0])
        }
    }

    @Test("a fault scoped to one endpoint leaves the others alone")
    func endpointScoped() async throws {
        let schedule = FaultSchedule(faults: [Fault(kind: .httpError(status: 503), endpoints: ["secondary"])])
        try await withProvider(schedule: schedule) { harness in
            let primary = try await harness.clientCredentials(to: harness.primary)
            let secondary = try await harness.clientCredentials(to: harness.secondary)
            #expect(primary.status == 200)
            #expect(secondary.status == 503)
            let statistics = harness.provider.statistics()
            #expect(statistics[endpoint: "primary"].issued == 1)
            #expect(statistics[endpoint: "primary"].errorStatus == 0)
            #expect(statistics[endpoint: "secondary"].errorStatus == 1)
        }
    }

    @Test("a fault window opens and closes with time")
    func window() async throws {
        try await withProvider { harness in
            let now = harness.provider.uptime()
            // A window of seconds, not of one request's time: on a loaded 2-core machine one request can take
            // longer than half a second, and a polling loop could step over a shorter window.
            harness.provider.inject(
                Fault(kind: .httpError(status: 500), start: now + .milliseconds(300), end: now + .seconds(6))
            )
            let sawFault = await eventually { (try? await harness.clientCredentials().status) == 500 }
            #expect(sawFault)
            let recovered = await eventually { (try? await harness.clientCredentials().status) == 200 }
            #expect(recovered)
            #expect(harness.provider.uptime() >= now + .seconds(6))
        }
    }

    @Test("statistics count requests per endpoint and outcome")
    func statistics() async throws {
        let schedule = FaultSchedule(faults: [
            Fault(kind: .rateLimit(retryAfter: .seconds(1), status: 429, httpDate: false), count: 1),
            Fault(kind: .badResponse(.html), count: 1, endpoints: ["secondary"]),
        ])
        try await withProvider(schedule: schedule) { harness in
            _ = try await harness.clientCredentials()
            _ = try await harness.clientCredentials()
            _ = try await harness.clientCredentials(to: harness.secondary)
            _ = try await harness.token(
                [("grant_type", "refresh_token"), ("refresh_token", "nope")],
                to: harness.secondary
            )
            let statistics = try await harness.provider.waitForRequests(4, timeout: .seconds(5))
            let primary = statistics[endpoint: "primary"]
            let secondary = statistics[endpoint: "secondary"]
            #expect(primary.requests == 2)
            #expect(primary.rateLimited == 1)
            #expect(primary.issued == 1)
            #expect(secondary.requests == 2)
            #expect(secondary.badResponse == 1)
            #expect(secondary.invalidGrant == 1)
            #expect(statistics.total.requests == 4)
            #expect(statistics.total.answered == 4)
            #expect(statistics.accessTokensIssued == 1)
        }
    }
}
