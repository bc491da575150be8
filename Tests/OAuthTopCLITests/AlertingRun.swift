import Foundation
import Testing

/// `oauthtop run --headless` (the real binary) with an `alerting:` section, against an in-process identity
/// provider: the shared frame of the alerting end-to-end tests.
struct AlertingRun {
    let daemon: ChildProcess
    /// The daemon's `/metrics` URL, from its `metrics_listening` event.
    let metricsURL: String

    /// A rule that fires by itself for 8 s of every 16 s of wall-clock time (`for: 0s`), so a test sees it
    /// fire and resolve within seconds whatever the moment it starts.
    static let flappingExpression = "vector(time() % 16) < 8"

    /// Writes `e2e.rules.yaml` and an oauthtop.yaml holding the provider and `alerting`, starts
    /// `oauthtop run --headless --config oauthtop.yaml --listen 127.0.0.1:0` with `environment` added, runs
    /// `body`, then stops the daemon with SIGTERM and requires exit 0 and no `secrets` in its output.
    ///
    /// - Parameters:
    ///   - alerting: The value of `alerting:` (indented two spaces, without the key itself).
    ///   - rules: The text of `e2e.rules.yaml`.
    ///   - environment: Extra environment for the child (notifier secrets).
    ///   - secrets: Strings that must not appear on the daemon's stdout or stderr (the provider's are added).
    static func with(
        alerting: String,
        rules: String,
        environment: [String: String] = [:],
        secrets: [String] = [],
        _ body: (AlertingRun) async throws -> Void
    ) async throws {
        try await InProcessIdentityProvider.with { provider in
            try await Sandbox.with { sandbox in
                try sandbox.write("e2e.rules.yaml", rules)
                let config = try sandbox.write(
                    "oauthtop.yaml",
                    "state_dir: '\(sandbox.path("state-dir"))'\nlog_level: info\n" + provider.providersYAML
                        + "alerting:\n" + alerting
                )
                let childEnvironment = sandbox.environment(provider.environment.merging(environment) { _, new in new })
                let arguments = ["run", "--headless", "--config", config, "--listen", "127.0.0.1:0"]
                try await ChildProcess.with(arguments, environment: childEnvironment) { daemon in
                    let listening = try await daemon.waitForEvent("metrics_listening", timeout: .seconds(60))
                    let url = try #require(listening.string("url"))
                    try await body(AlertingRun(daemon: daemon, metricsURL: url))
                    daemon.terminate()
                    let status = try await daemon.waitForExit(timeout: .seconds(60))
                    #expect(status == 0, "oauthtop run exit status after SIGTERM; stderr: \(daemon.stderrText)")
                    #expect(try daemon.events().last?.event == "stopped")
                    let output = daemon.stdoutText + daemon.stderrText
                    for secret in secrets + [InProcessIdentityProvider.clientSecret, provider.refreshToken] {
                        #expect(!output.contains(secret), "a secret appeared in oauthtop's output")
                    }
                    #expect(!output.contains("eyJ"), "a JWT-looking string appeared in oauthtop's output")
                }
            }
        }
    }

    /// Requires that the daemon printed `alert_firing` for `alertname`, then `alert_resolved` for it later.
    func expectFiringThenResolved(_ alertname: String) throws {
        let events = try self.daemon.events()
        let firing = events.firstIndex { $0.event == "alert_firing" && $0.string("alertname") == alertname }
        let firingIndex = try #require(firing, "no alert_firing for \(alertname); events: \(events.map(\.event))")
        #expect(events[firingIndex].string("severity") == "critical", "\(events[firingIndex])")
        let resolved = events[firingIndex...].contains {
            $0.event == "alert_resolved" && $0.string("alertname") == alertname
        }
        #expect(resolved, "no alert_resolved for \(alertname) after its alert_firing; events: \(events.map(\.event))")
    }

    /// The value of the sample `series` (name and labels exactly as exposed) on the daemon's /metrics.
    func sample(_ series: String) async throws -> Double? {
        let body = try await LoopbackHTTP.get(self.metricsURL).body
        guard let line = body.split(separator: "\n").first(where: { $0.hasPrefix(series + " ") }) else { return nil }
        return Double(line.dropFirst(series.count + 1).split(separator: " ").first.map(String.init) ?? "")
    }
}
