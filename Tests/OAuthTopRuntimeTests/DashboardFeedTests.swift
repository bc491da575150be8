import Alerting
import Dashboard
import Foundation
import Synchronization
import Testing
import TokenManager

@testable import OAuthTopRuntime

/// The feeds a dashboard draws from, apart from the end-to-end runs (attached in tmux, Prometheus).
@Suite("Dashboard feeds")
struct DashboardFeedTests {
    /// Answers instant queries from a table, as a Prometheus server would for these gauges.
    struct TableSource: PanelQuerySource {
        var table: [String: [VectorElement]]
        func queryRange(_ query: String, start: Int64, end: Int64, step: Int64) throws -> [RangeSeries] { [] }
        func query(_ query: String, at time: Int64) throws -> [VectorElement] { self.table[query] ?? [] }
    }

    static func element(_ provider: String, _ instance: String, _ value: Double) -> VectorElement {
        VectorElement(labels: Labels(["provider": provider, "instance": instance, "job": "oauthtop"]), value: value)
    }

    @Test("a Prometheus fleet: one row per provider and instance, with expiry, lifetime and breaker")
    func fleetRows() async throws {
        let now: Int64 = 1_800_000_000 * 1_000_000_000
        let source = TableSource(table: [
            OAuthMetricNames.tokenExpirationTimestamp: [
                Self.element("github", "b:9464", 1_800_000_300), Self.element("github", "a:9464", 1_799_999_000),
            ],
            OAuthMetricNames.tokenLifetime: [Self.element("github", "a:9464", 3600), Self.element("okta", "a:9464", 60)],
            OAuthMetricNames.circuitBreakerState: [
                Self.element("github", "a:9464", 2), Self.element("github", "b:9464", 0),
            ],
        ])
        let alert = AlertRow(name: "TokenRefreshFailing", state: .firing, severity: "critical", since: now, summary: "s")
        let feed = PrometheusDashboardFeed(server: "http://127.0.0.1:9090", panelSource: source, alerts: { [alert] })
        let (snapshot, changed) = try await feed.state(now: now)
        #expect(!changed)
        #expect(snapshot.providers.map(\.name) == ["github @ a:9464", "github @ b:9464", "okta @ a:9464"])
        #expect(snapshot.providers[0].phase == .expired)
        #expect(snapshot.providers[0].breaker == .open)
        #expect(snapshot.providers[0].lifetimeSeconds == 3600)
        #expect(snapshot.providers[1].phase == .fresh)
        let expected: Int64 = 1_800_000_300 * 1_000_000_000
        #expect(snapshot.providers[1].expiresAt.map { $0 - expected } == 0)
        #expect(snapshot.providers[2].phase == .missing, "a lifetime without an expiry: no token known")
        #expect(snapshot.alerts == [alert])
        #expect(snapshot.refreshMode.contains("http://127.0.0.1:9090"))

        await feed.refresh("github @ a:9464")
        let (after, changedAfter) = try await feed.state(now: now)
        #expect(changedAfter, "the notice is drawn at once")
        #expect(after.events.last?.text.contains("oauthtop refresh github") == true)
        #expect(try await feed.state(now: now).changed == false)
    }

    @Test("a feed that fails keeps the last rows on screen and says why, once")
    func unreachable() {
        let last = DashboardSnapshot(now: 1, providers: [ProviderRow(name: "github")])
        struct Gone: Error, CustomStringConvertible { var description: String { "no daemon at /run/x.sock" } }
        let first = DashboardService.unreachable(last, error: Gone(), now: 2, mode: "attached")
        #expect(first.providers.map(\.name) == ["github"])
        #expect(first.events.last?.text == "no daemon at /run/x.sock")
        #expect(first.events.last?.isError == true)
        let second = DashboardService.unreachable(first, error: Gone(), now: 3, mode: "attached")
        #expect(second.events.count == 1)
    }
}
