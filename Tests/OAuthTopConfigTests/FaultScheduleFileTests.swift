import DemoIdentityProvider
import OAuthTopConfig
import Testing

@Suite("Fault schedule files")
struct FaultScheduleFileTests {
    @Test("every kind parses with its options and defaults")
    func goodSchedule() throws {
        let yaml = """
            faults:
              - {kind: slow, delay: 1.5s, count: 2}
              - {kind: error, at: 10s, until: 20s, endpoints: [primary]}
              - {kind: error, status: 503}
              - {kind: rate_limit}
              - {kind: rate_limit, status: 503, retry_after: 3s, retry_after_format: http_date}
              - {kind: invalid_grant, at: 1m}
              - {kind: outage, at: 38s, until: 52s, endpoints: [primary, secondary]}
              - {kind: bad_response, body: missing_expires_in, count: 1}
            """
        let schedule = try FaultScheduleFile.parse(yaml: yaml, file: "faults.yaml").get()
        #expect(
            schedule.faults == [
                Fault(kind: .slow(delay: .milliseconds(1500)), count: 2),
                Fault(kind: .httpError(status: 500), start: .seconds(10), end: .seconds(20), endpoints: ["primary"]),
                Fault(kind: .httpError(status: 503)),
                Fault(kind: .rateLimit(retryAfter: .seconds(1), status: 429, httpDate: false)),
                Fault(kind: .rateLimit(retryAfter: .seconds(3), status: 503, httpDate: true)),
                Fault(kind: .invalidGrant, start: .seconds(60)),
                Fault(kind: .outage, start: .seconds(38), end: .seconds(52), endpoints: ["primary", "secondary"]),
                Fault(kind: .badResponse(.missingExpiresIn), count: 1),
            ]
        )
        #expect(try FaultScheduleFile.parse(yaml: "faults: []", file: "f").get() == .none)
    }

    @Test("the API's fault kinds parse with their options, defaults and scoping")
    func apiFaults() throws {
        let yaml = """
            faults:
              - {kind: revoke_token, at: 20s, count: 1}
              - {kind: api_rate_limit}
              - kind: api_rate_limit
                status: 503
                retry_after: 4s
                retry_after_format: http_date
                endpoints: [primary]
              - {kind: api_error, at: 5s, until: 9s}
              - {kind: api_error, status: 502, count: 3}
            """
        let schedule = try FaultScheduleFile.parse(yaml: yaml, file: "faults.yaml").get()
        #expect(
            schedule.faults == [
                Fault(kind: .revokeToken, start: .seconds(20), count: 1),
                Fault(kind: .apiRateLimit(retryAfter: .seconds(1), status: 429, httpDate: false)),
                Fault(
                    kind: .apiRateLimit(retryAfter: .seconds(4), status: 503, httpDate: true), endpoints: ["primary"]
                ),
                Fault(kind: .apiError(status: 500), start: .seconds(5), end: .seconds(9)),
                Fault(kind: .apiError(status: 502), count: 3),
            ]
        )
        #expect(schedule.faults.allSatisfy { $0.kind.isAPIFault })
    }

    @Test(
        "each mistake is reported at its position",
        arguments: [
            (
                "- {kind: slo, delay: 1s}", "2:12",
                "kind: expected one of slow | error | rate_limit | invalid_grant | outage | bad_response | "
                    + "lost_answer | bad_token | inactive_token | rotate_keys | revoke_token | api_rate_limit | "
                    + "api_error, found 'slo'; did you mean 'slow'?"
            ),
            ("- {kind: slow}", "2:5", "missing required key 'delay' in fault"),
            (
                "- {kind: slow, delay: soon}", "2:25",
                "delay: expected a duration like 500ms, 15s, 2m, 1h, found 'soon'"
            ),
            ("- {kind: error, at: 10s, until: 5s}", "2:35", "until: must be later than at (10s), found '5s'"),
            ("- {kind: error, at: -1s}", "2:23", "at: a duration cannot be negative, found '-1s'"),
            ("- {kind: error, count: 0}", "2:26", "count: must be at least 1, found 0"),
            ("- {kind: error, status: 600}", "2:27", "status: must be between 400 and 599, found 600"),
            ("- {kind: rate_limit, status: 500}", "2:32", "status: a rate limit answers 429 or 503, found 500"),
            (
                "- {kind: rate_limit, retry_after_format: rfc}", "2:44",
                "retry_after_format: expected one of seconds | http_date, found 'rfc'"
            ),
            (
                "- {kind: outage, at: 5s}", "2:5",
                "missing required key 'until' in fault (an outage is a window: give at and until)"
            ),
            (
                "- {kind: outage, until: 5s, count: 2}", "2:31",
                "'count' does not apply to kind 'outage': an outage refuses every connection in its window"
            ),
            (
                "- {kind: bad_response, body: garbage}", "2:32",
                "body: expected one of html | not_json | not_object | empty_body | missing_access_token | "
                    + "missing_expires_in | negative_expires_in | absurd_expires_in | wrong_token_type, found 'garbage'"
            ),
            (
                "- {kind: slow, delay: 1s, status: 500}", "2:29",
                "'status' does not apply to kind 'slow' (only to error, rate_limit, api_error, api_rate_limit)"
            ),
            (
                "- {kind: error, endpoint: [primary]}", "2:19",
                "unknown key 'endpoint' in fault; did you mean 'endpoints'? (allowed: kind, at, until, count, "
                    + "endpoints, delay, status, retry_after, retry_after_format, body, token)"
            ),
            (
                "- {kind: error, endpoints: primary}", "2:30",
                "endpoints: expected a list of endpoint names, found 'primary'"
            ),
            ("- {kind: api_error, status: 302}", "2:31", "status: must be between 400 and 599, found 302"),
            ("- {kind: api_rate_limit, status: 500}", "2:36", "status: a rate limit answers 429 or 503, found 500"),
            (
                "- {kind: revoke_token, status: 401}", "2:26",
                "'status' does not apply to kind 'revoke_token' (only to error, rate_limit, api_error, api_rate_limit)"
            ),
            (
                "- {kind: api_error, retry_after: 2s}", "2:23",
                "'retry_after' does not apply to kind 'api_error' (only to rate_limit, api_rate_limit)"
            ),
            (
                "- {kind: api_rate_limit, retry_after: soon}", "2:41",
                "retry_after: expected a duration like 500ms, 15s, 2m, 1h, found 'soon'"
            ),
            (
                "- kind: error\n  retry_after: 1s", "3:5",
                "'retry_after' does not apply to kind 'error' (only to rate_limit, api_rate_limit)"
            ),
        ]
    )
    func badFault(line: String, position: String, message: String) throws {
        let outcome = FaultScheduleFile.parse(
            yaml: "faults:\n  " + line.replacingOccurrences(of: "\n", with: "\n  "),
            file: "faults.yaml"
        )
        #expect(outcome.value == nil)
        #expect(outcome.errors.count == 1, "\(outcome.errors)")
        let diagnostic = try #require(outcome.errors.first)
        #expect(diagnostic.message == message)
        #expect(diagnostic.position == position)
    }

    @Test(
        "file-level mistakes",
        arguments: [
            ("", "0:0", "the file is empty; expected a mapping with 'faults'"),
            (
                "fault: []", "1:1",
                "unknown key 'fault' in the top level; did you mean 'faults'? (allowed: faults, "
                    + "refresh_token_reuse_interval)"
            ),
            ("faults: {kind: slow}", "1:9", "faults: expected a list of faults, found a mapping"),
            (
                "faults:\n  - [slow]", "2:5",
                "faults: expected a mapping with keys kind, at, until, count, endpoints, delay, status, retry_after, "
                    + "retry_after_format, body, token, found a list"
            ),
        ]
    )
    func badFile(yaml: String, position: String, message: String) throws {
        let outcome = FaultScheduleFile.parse(yaml: yaml, file: "faults.yaml")
        let diagnostic = try #require(outcome.errors.first)
        #expect(diagnostic.message == message)
        #expect(diagnostic.position == position)
    }

    @Test("load names the file in every diagnostic")
    func load() throws {
        let files = FileReader.inMemory(["/f.yaml": "faults:\n  - {kind: slow}\n  - {kind: nope}\n"])
        let error = #expect(throws: ConfigError.self) { try FaultScheduleFile.load(path: "/f.yaml", fileReader: files) }
        #expect(
            error?.diagnostics.map(\.description) == [
                "/f.yaml:2:5: error: missing required key 'delay' in fault",
                "/f.yaml:3:12: error: kind: expected one of slow | error | rate_limit | invalid_grant | outage | "
                    + "bad_response | lost_answer | bad_token | inactive_token | rotate_keys | revoke_token | "
                    + "api_rate_limit | api_error, found 'nope'",
            ]
        )
    }

    @Test("the default demo schedule parses and tells the demo's story in order")
    func demoSchedule() throws {
        let schedule = try DemoSchedule.default()
        let faults = schedule.faults
        func index(_ predicate: (Fault) -> Bool) throws -> Int {
            let found = faults.firstIndex(where: predicate)
            return try #require(found)
        }
        let retried500 = try index {
            $0.kind == .httpError(status: 500) && $0.endpoints == ["primary"] && ($0.count ?? 0) >= 1
                && ($0.count ?? 0) < 3
        }
        let rateLimit = try index {
            $0.kind == .rateLimit(retryAfter: .seconds(3), status: 429, httpDate: false) && $0.count == 1
        }
        let primaryOutage = try index { $0.kind == .outage && $0.endpoints == ["primary"] }
        let fullOutage = try index { $0.kind == .outage && $0.endpoints == nil }
        #expect(faults[retried500].start < faults[rateLimit].start)
        #expect(faults[rateLimit].start < faults[primaryOutage].start)
        let primaryEnd = try #require(faults[primaryOutage].end)
        let fullEnd = try #require(faults[fullOutage].end)
        #expect(primaryEnd <= faults[fullOutage].start)
        // Long enough for the whole fallback chain (DemoSetup: the alternate, emergency mode, the approved key),
        // short enough that the breaker closes well within the demo test's 125 s.
        #expect(fullEnd - faults[fullOutage].start >= .seconds(40), "the outage must outlast the alternate's token")
        #expect(fullEnd <= .seconds(100), "the breaker must have time to close within 125 s")
        #expect(faults.contains { if case .slow = $0.kind { true } else { false } })
    }
}
