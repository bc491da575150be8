import Alerting
import Foundation
import OAuthTopConfig
import OAuthTopRuntime
import OAuthTopTestKit
import Testing

/// The dashboard's panel queries against a real Prometheus (Debian's 2.42) scraping two `oauthtop run --headless`
/// daemons, read with the client `watch --prometheus` uses; and the same query text on a daemon's token socket,
/// answered in the same JSON shape.
@Suite("Prometheus fleet", .tags(.slow, .realServer))
struct PrometheusFleetTests {
    /// The default dashboard's query of `panel` (its first query with a `by (provider)`).
    static func panelQuery(_ panel: String) throws -> String {
        let dashboard = DashboardFile.defaultDashboard()
        let definition = try #require(dashboard.panels.first { $0.name == panel })
        return try #require(definition.queries.map(\.expression).first { $0.contains("by (provider)") })
    }

    @Test(
        "a panel query over Prometheus has series from both daemons; the daemon's socket answers it in the same shape",
        .enabled(if: PrometheusProcess.isInstalled, "needs /usr/bin/prometheus (Debian's prometheus)"),
        .timeLimit(.minutes(4))
    )
    func fleet() async throws {
        try await PrometheusFleet.with { fleet in
            let prometheus = try PrometheusQueryClient(baseURL: fleet.prometheusURL)
            // The lifetime panel's per-provider query, grouped by instance too: a provider list across the fleet.
            let panel = try Self.panelQuery("average_token_lifetime")
            let perInstance = panel.replacingOccurrences(of: "by (provider)", with: "by (instance, provider)")
            var series: [RangeSeries] = []
            var window = (start: Int64(0), end: Int64(0))
            let both = await eventually(timeout: .seconds(60), every: .milliseconds(250)) {
                let now = Int64(Date().timeIntervalSince1970 * 1000) / 1000 * 1000
                window = (now - 20_000, now)
                series =
                    (try? await prometheus.queryRange(perInstance, start: now - 20_000, end: now, step: 1000)) ?? []
                return Set(series.map { $0.labels["instance"] }) == Set(fleet.instances)
            }
            #expect(both, "series of \(series.map(\.labels)) from \(fleet.instances)")
            for item in series {
                #expect(item.labels["provider"] == PrometheusFleet.providerName)
                #expect(item.points.allSatisfy { $0.value > 200 && $0.value <= 300 }, "a 300 s token's expiry")
                #expect(item.points.allSatisfy { ($0.time - window.start) % 1000 == 0 })
            }

            // The panel's own query (by provider) gives one series over the fleet.
            let merged = try await prometheus.queryRange(panel, start: window.start, end: window.end, step: 1000)
            #expect(merged.map(\.labels) == [Labels(["provider": PrometheusFleet.providerName])])

            // A rate panel with its variables substituted as the dashboard does evaluates on Prometheus too.
            let success = PanelVariables(interval: 2000, resolution: 1000, range: 20_000)
                .substitute(try Self.panelQuery("token_refresh_success_rate"))
            _ = try await prometheus.queryRange(success, start: window.start, end: window.end, step: 2000)
            #expect(try await prometheus.alerts().alerts.isEmpty, "this Prometheus has no rules")

            // The same text on a daemon's socket: the same labels, and the same JSON shape.
            let daemon = PrometheusQueryClient(endpoint: .unix(fleet.daemons[0].socket))
            let local = try await daemon.queryRange(panel, start: window.start, end: window.end, step: 1000)
            #expect(local.map(\.labels) == merged.map(\.labels))
            _ = try await daemon.alerts()
            let form = [
                "query=\(panel)", "start=\(window.start / 1000)", "end=\(window.end / 1000)", "step=1",
            ]
            let fromPrometheus = try await Self.curl(["\(fleet.prometheusURL)/api/v1/query_range"], form: form)
            let fromDaemon = try await Self.curl(
                ["--unix-socket", fleet.daemons[0].socket, "http://localhost/api/v1/query_range"], form: form
            )
            #expect(try Self.shape(fromPrometheus) == Self.shape(fromDaemon), "\(fromPrometheus)\n\(fromDaemon)")
            let shape = try Self.shape(fromDaemon)
            let expected = "{data:{result:[{metric:{provider:s},values:[[n|s]]}],resultType:s},status:s}"
            #expect(shape == expected, "\(shape)")
        }
    }

    /// `curl -s --data-urlencode ...` (a POST form, as Prometheus's own UI sends); the body.
    static func curl(_ target: [String], form: [String]) async throws -> String {
        let arguments = ["-s", "--fail-with-body"] + form.flatMap { ["--data-urlencode", $0] } + target
        let result = try await ChildProcess.run(executable: "/usr/bin/curl", arguments, environment: [:])
        guard result.status == 0 else { throw CLITestFailure("curl \(target): \(result.status) \(result.combined)") }
        return result.stdout
    }

    /// A JSON document's shape: object keys (sorted) with their values' shapes, an array as its items' distinct
    /// shapes, `n` for a number, `s` for a string.
    static func shape(_ text: String) throws -> String {
        func shape(_ value: Any) -> String {
            switch value {
            case let object as [String: Any]:
                "{" + object.keys.sorted().map { "\($0):\(shape(object[$0] as Any))" }.joined(separator: ",") + "}"
            case let array as [Any]: "[" + Set(array.map(shape)).sorted().joined(separator: "|") + "]"
            case is String: "s"
            case is Int, is Double, is NSNumber: "n"
            default: "?"
            }
        }
        return shape(try JSONSerialization.jsonObject(with: Data(text.utf8)))
    }
}
