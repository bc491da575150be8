import Foundation
import OAuthTopTestKit
import Testing

/// `oauthtop demo --headless --duration 125s`: the whole fault schedule, seen as events, the whole fallback
/// chain during the full outage (the alternate, emergency mode, the approved emergency key, OAuth back), with
/// no secret anywhere, and a /metrics that promtool accepts; beside the `demo` provider, the `reports`
/// provider refreshes and its exec'd task runs.
@Suite("oauthtop demo", .tags(.slow, .demo))
struct DemoTests {
    /// DESIGN.md, "Metric names", and the emergency gauge.
    static let metricFamilies = [
        "oauth_refresh_attempts_total", "oauth_refresh_failures_total", "oauth_refresh_duration_seconds",
        "oauth_token_lifetime_seconds", "oauth_token_expires_in_seconds", "oauth_fallback_auth_used_total",
        "oauth_circuit_breaker_state", "oauth_refresh_conflicts_total", "oauth_token_expired_during_task_total",
        "oauth_rate_limited_total", "oauth_emergency_mode",
    ]

    static let promtool = "/usr/bin/promtool"

    @Test("headless demo: the schedule's events in order, no secret, valid /metrics", .timeLimit(.minutes(5)))
    func headlessDemo() async throws {
        try await Sandbox.with { sandbox in
            try await ChildProcess.with(
                ["demo", "--headless", "--duration", "125s"], environment: sandbox.environment(),
                directory: sandbox.directory
            ) { demo in
                let started = try await demo.waitForEvent("demo_started", timeout: .seconds(60))
                let listening = try await demo.waitForEvent("metrics_listening", timeout: .seconds(60))
                let metricsURL = try #require(listening.string("url"))
                // Scrape once every family has a series: failures exist once the breaker has opened (~60s).
                _ = try await demo.waitForEvent("breaker", timeout: .seconds(150)) { $0.string("to") == "open" }
                #expect(demo.isRunning, "the demo must still run when /metrics is scraped")
                try await self.checkMetrics(url: metricsURL, sandbox: sandbox)
                try await self.checkExecTask(url: metricsURL)
                try await self.checkFallbackCounter(demo: demo, url: metricsURL)

                let status = try await demo.waitForExit(timeout: .seconds(200))
                #expect(status == 0, "stderr: \(demo.stderrText)")
                let lines = demo.stdoutLines
                #expect(demo.stdoutText.hasSuffix("\n"), "the last line must be complete")
                let events = try lines.map { try EventLine(parsing: $0) }
                // The fault schedule is the `demo` provider's; the `reports` provider has its own.
                let demoEvents = events.filter { ($0.string("provider") ?? "demo") == "demo" }
                try self.checkSchedule(demoEvents, secondary: try #require(started.string("endpoint_secondary")))
                #expect(
                    events.contains { $0.event == "refresh_succeeded" && $0.string("provider") == "reports" },
                    "the reports provider refreshes"
                )
                // The API calls go through the demo's proxy: the revoked token is refreshed and the call replayed
                // (at 12s), and the API's 429s are waited out.
                #expect(events.contains { $0.event == "proxy_listening" && $0.string("proxy") == "demo-api" })
                #expect(
                    events.contains { $0.event == "proxy_replay" && $0.string("outcome") == "replayed" },
                    "the revoked token: one refresh, the call replayed"
                )
                #expect(events.contains { $0.event == "proxy_rate_limited" && $0.string("provider") == "api" })
                self.checkNoSecret(stdout: demo.stdoutText, stderr: demo.stderrText, events: events)
            }
        }
    }

    /// The fault schedule's story, in order (DemoSchedule.defaultYAML).
    private func checkSchedule(_ events: [EventLine], secondary: String) throws {
        func next(after start: Int, _ what: String, _ predicate: (EventLine) -> Bool) throws -> Int {
            guard let index = events.indices.dropFirst(start + 1).first(where: { predicate(events[$0]) }) else {
                throw CLITestFailure(
                    "no \(what) after event #\(start) (\(start >= 0 ? events[start].raw : "start")); events: "
                        + events.map(\.event).joined(separator: ",")
                )
            }
            return index
        }
        let firstSuccess = try next(after: -1, "refresh_succeeded") { $0.event == "refresh_succeeded" }
        let retry500 = try next(after: firstSuccess, "retry with reason http_500") {
            $0.event == "retry" && $0.string("reason") == "http_500"
        }
        let rateLimited = try next(after: retry500, "rate_limited") { $0.event == "rate_limited" }
        let afterRateLimit = try next(after: rateLimited, "refresh_succeeded") { $0.event == "refresh_succeeded" }
        let retryAfterMS = try #require(events[rateLimited].number("retry_after_ms"))
        #expect(retryAfterMS > 0)
        // Timestamps are truncated to milliseconds, so allow the 1 ms that truncation can take away.
        let waitedMS = events[afterRateLimit].timestamp.timeIntervalSince(events[rateLimited].timestamp) * 1000
        #expect(
            waitedMS >= retryAfterMS - 1,
            "success \(waitedMS) ms after the 429, sooner than Retry-After \(retryAfterMS) ms"
        )
        let failover = try next(after: afterRateLimit, "failover") { $0.event == "failover" }
        #expect(events[failover].string("to") == secondary)
        let onSecondary = try next(after: failover, "refresh_succeeded") { $0.event == "refresh_succeeded" }
        #expect(events[onSecondary].string("endpoint") == secondary, "\(events[onSecondary])")
        let open = try next(after: onSecondary, "breaker to open") {
            $0.event == "breaker" && $0.string("to") == "open"
        }
        // The full outage outlasts the token: the workload is served by the `reports` provider's token (the
        // alternate) until `reports` is down too; then no method gives a token (emergency mode) until the demo
        // approves the emergency key, which serves until the first successful probe, then OAuth again.
        let engaged = try next(after: open, "fallback_engaged") { $0.event == "fallback_engaged" }
        #expect(events[engaged].string("method") == "alternate_provider")
        #expect(events[engaged].string("severity") == "warning")
        let emergency = try next(after: engaged, "emergency") { $0.event == "emergency" }
        #expect(events[emergency].string("severity") == "critical")
        #expect(events[emergency].string("tried")?.contains("alternate provider 'reports' (alternate_failed)") == true)
        #expect(events[emergency].string("tried")?.contains("(not_approved)") == true, "\(events[emergency].raw)")
        let approved = try next(after: emergency, "emergency_approved") { $0.event == "emergency_approved" }
        let used = try next(after: approved, "emergency_key_used") { $0.event == "emergency_key_used" }
        #expect(events[used].string("severity") == "critical")
        let keyEngaged = try next(after: approved, "fallback_engaged with the key") {
            $0.event == "fallback_engaged" && $0.string("method") == "emergency_key"
        }
        let emergencyEnded = try next(after: approved, "emergency_ended") { $0.event == "emergency_ended" }
        #expect(events[emergencyEnded].string("recovered_by") == "emergency_key")
        #expect(
            !events[(emergency + 1)..<emergencyEnded].contains { $0.event == "emergency" }, "once per outage"
        )
        let closed = try next(after: max(keyEngaged, emergencyEnded), "breaker to closed") {
            $0.event == "breaker" && $0.string("to") == "closed"
        }
        let ended = try next(after: closed, "fallback_ended") { $0.event == "fallback_ended" }
        #expect((events[ended].number("uses") ?? 0) > 0)
        #expect(!events[ended...].contains { $0.event == "fallback_engaged" }, "no fallback after recovery")
        try self.checkAlerts(
            events, breakerOpen: open, breakerClosed: closed, fallbackEngaged: engaged, fallbackEnded: ended,
            emergency: emergency, emergencyEnded: emergencyEnded
        )
        #expect(events.last?.event == "stopped")
        #expect(events.filter { $0.event == "stopped" }.count == 1)
    }

    /// The demo's rules (evaluated every second) tell the same story: `oauth_circuit_breaker_open` fires after
    /// the breaker opens and resolves after it closes; `fallback_auth_usage` fires after the fallback engages
    /// and resolves after it ends (its rate window empties); `oauth_emergency_mode` fires after the emergency
    /// and resolves after it ends; none is still firing at the end.
    private func checkAlerts(
        _ events: [EventLine],
        breakerOpen: Int,
        breakerClosed: Int,
        fallbackEngaged: Int,
        fallbackEnded: Int,
        emergency: Int,
        emergencyEnded: Int
    ) throws {
        func first(_ event: String, _ alertname: String, after start: Int) throws -> Int {
            guard let index = events.indices.dropFirst(start + 1).first(where: {
                events[$0].event == event && events[$0].string("alertname") == alertname
            }) else {
                throw CLITestFailure(
                    "no \(event) for \(alertname) after event #\(start) (\(events[start].raw)); alert events: "
                        + events.filter { $0.event.hasPrefix("alert_") }.map(\.raw).joined(separator: "\n")
                )
            }
            return index
        }
        for (alertname, started, stopped) in [
            ("oauth_circuit_breaker_open", breakerOpen, breakerClosed),
            ("fallback_auth_usage", fallbackEngaged, fallbackEnded),
            ("oauth_emergency_mode", emergency, emergencyEnded),
        ] {
            let before = events[..<started].contains {
                $0.event == "alert_firing" && $0.string("alertname") == alertname
            }
            #expect(!before, "\(alertname) fired before its cause")
            let firing = try first("alert_firing", alertname, after: started)
            let resolved = try first("alert_resolved", alertname, after: max(firing, stopped))
            #expect(events[firing].string("provider") == "demo", "\(events[firing])")
            #expect(events[resolved].string("provider") == "demo", "\(events[resolved])")
            let last = events.last { $0.event.hasPrefix("alert_") && $0.string("alertname") == alertname }
            #expect(
                last?.event == "alert_resolved", "\(alertname) still active at the end: \(String(describing: last))"
            )
        }
        let breakerFiring = try first("alert_firing", "oauth_circuit_breaker_open", after: breakerOpen)
        #expect(events[breakerFiring].string("severity") == "critical")
        #expect(events[breakerFiring].string("action") == "page_oncall")
        let fallbackFiring = try first("alert_firing", "fallback_auth_usage", after: fallbackEngaged)
        #expect(events[fallbackFiring].string("severity") == "warning")
        #expect(
            events[fallbackFiring].string("labels") == #"{method="alternate_provider"}"#, "\(events[fallbackFiring])"
        )
        let emergencyFiring = try first("alert_firing", "oauth_emergency_mode", after: emergency)
        #expect(events[emergencyFiring].string("severity") == "critical")
        #expect(events[emergencyFiring].string("action") == "page_oncall")
    }

    /// `oauth_fallback_auth_used_total{provider="demo"}` (methods `alternate_provider` and `emergency_key`) went
    /// up during the outage (together they equal the uses `fallback_ended` reports) and stays put after recovery:
    /// it still has that value once the `fallback_auth_usage` alert has resolved, i.e. once the rule's rate
    /// window has seen no fallback use for its whole width.
    private func checkFallbackCounter(demo: ChildProcess, url: String) async throws {
        let ended = try await demo.waitForEvent("fallback_ended", timeout: .seconds(150))
        let uses = try #require(ended.number("uses"))
        #expect(uses > 0, "the workload used the fallback during the outage")
        #expect(demo.isRunning, "the demo must still run after recovery")
        #expect(try await self.fallbackUses(url: url) == uses, "oauth_fallback_auth_used_total at recovery")
        try await demo.waitForEvent("alert_resolved", timeout: .seconds(60)) {
            $0.string("alertname") == "fallback_auth_usage" && $0.timestamp >= ended.timestamp
        }
        #expect(try await self.fallbackUses(url: url) == uses, "oauth_fallback_auth_used_total after recovery")
    }

    private func fallbackUses(url: String) async throws -> Double {
        let body = try await LoopbackHTTP.get(url).body
        var total = 0.0
        for method in ["alternate_provider", "emergency_key"] {
            let prefix = #"oauth_fallback_auth_used_total{method="\#(method)",provider="demo"} "#
            let alternative = #"oauth_fallback_auth_used_total{provider="demo",method="\#(method)"} "#
            let line = try #require(
                body.split(separator: "\n").first { $0.hasPrefix(prefix) || $0.hasPrefix(alternative) },
                "no \(method) series in /metrics"
            )
            let uses = try #require(Double(line.split(separator: " ").last.map(String.init) ?? ""))
            #expect(uses > 0, "the demo used \(method)")
            total += uses
        }
        return total
    }

    /// The exec'd task holds a `reports` token: it is running and its token file was written.
    private func checkExecTask(url: String) async throws {
        let body = try await LoopbackHTTP.get(url).body
        let lines = body.split(separator: "\n")
        let running = lines.filter { $0.hasPrefix("oauthtop_exec_tasks_running") }.joined(separator: "; ")
        #expect(
            lines.contains { $0 == #"oauthtop_exec_tasks_running{provider="reports"} 1"# },
            "oauthtop_exec_tasks_running: \(running)"
        )
        let writes = lines.first {
            $0.hasPrefix("oauth_token_requests_total{") && $0.contains(#"consumer="exec""#)
                && $0.contains(#"provider="reports""#) && $0.contains(#"outcome="success""#)
        }
        let count = writes.flatMap { Double($0.split(separator: " ").last.map(String.init) ?? "") } ?? 0
        #expect(count >= 1, "the exec'd task's token file was written: \(String(describing: writes))")
    }

    /// No JWT, no 64-hex run (the demo's client secret is 64 hex), and short token fingerprints only.
    private func checkNoSecret(stdout: String, stderr: String, events: [EventLine]) {
        for (name, text) in [("stdout", stdout), ("stderr", stderr)] {
            #expect(!text.contains("eyJ"), "a JWT-looking string on \(name)")
            #expect(text.firstMatch(of: /[0-9a-fA-F]{64}/) == nil, "a 64-hex-character run on \(name)")
        }
        let fingerprints = events.compactMap { $0.string("token_sha256") }
        #expect(!fingerprints.isEmpty)
        for fingerprint in fingerprints {
            #expect(fingerprint.wholeMatch(of: /[0-9a-f]{1,8}/) != nil, "token_sha256 '\(fingerprint)' is not <= 8 hex")
        }
    }

    /// Fetches /metrics, runs `promtool check metrics` on it, and looks for every family of DESIGN.md.
    private func checkMetrics(url: String, sandbox: Sandbox) async throws {
        let response = try await LoopbackHTTP.get(url)
        #expect(response.status == 200)
        for family in Self.metricFamilies {
            #expect(response.body.contains("# TYPE \(family) "), "no family \(family) in /metrics")
            #expect(response.body.contains("\n\(family)"), "no sample of \(family) in /metrics")
        }
        guard FileManager.default.isExecutableFile(atPath: Self.promtool) else {
            Issue.record("promtool is missing at \(Self.promtool): install Debian's `prometheus` package")
            return
        }
        let file = try sandbox.write("metrics.txt", response.body)
        let input = try FileHandle(forReadingFrom: URL(fileURLWithPath: file))
        defer { try? input.close() }
        let result = try await ChildProcess.run(
            executable: Self.promtool, ["check", "metrics"], environment: sandbox.environment(), stdin: input
        )
        #expect(result.status == 0, "promtool check metrics: \(result.stdout)\(result.stderr)")
    }
}
