import Dashboard
import Foundation
import OAuthTopConfig
import Testing

@Suite("Dashboard files: the seed's syntax, panels as queries, positioned errors")
struct DashboardFileTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static func parse(_ yaml: String) -> ParseOutcome<DashboardDefinition> {
        DashboardFile.parse(yaml: yaml, file: "d.yaml")
    }

    @Test("the built-in dashboard is the file shipped in dashboards/, and it parses")
    func builtIn() throws {
        let file = try String(
            contentsOf: Self.repository.appendingPathComponent("dashboards/default.dashboard.yaml"), encoding: .utf8)
        #expect(file == DefaultDashboard.yaml)
        let outcome = DashboardFile.parse(yaml: file, file: "dashboards/default.dashboard.yaml")
        #expect(outcome.diagnostics.isEmpty)
        #expect(outcome.value == DashboardFile.defaultDashboard())
        #expect(outcome.value?.panels.count == 7)
    }

    @Test("a panel of the default dashboard by name beside a panel of one's own")
    func userPanel() throws {
        let outcome = Self.parse(
            """
            dashboards:
              - mine:
                  panels:
                    - circuit_breaker_state
                    - token_requests:
                        title: Token requests
                        draw: graph
                        unit: per_second
                        queries:
                          - legend: "{{provider}}"
                            expr: sum by (provider) (rate(oauth_refresh_attempts_total[$__rate_interval]))
                          - expr: sum(increase(oauth_refresh_attempts_total[$__range]))
            """)
        #expect(outcome.diagnostics.isEmpty)
        let dashboard = try #require(outcome.value)
        #expect(dashboard.name == "mine")
        #expect(dashboard.panels.map(\.name) == ["circuit_breaker_state", "token_requests"])
        #expect(dashboard.panels[0] == DashboardFile.defaultDashboard().panels[4])
        let panel = dashboard.panels[1]
        #expect(panel.title == "Token requests" && panel.shortTitle == "Token requests")
        #expect(panel.style == .graph && panel.unit == "per_second")
        #expect(panel.queries.map(\.legend) == ["{{provider}}", ""])
        #expect(panel.queries[0].expression.hasSuffix("[$__rate_interval]))"))
    }

    @Test("an expression error is placed at its character in the file, variables included")
    func expressionError() throws {
        let outcome = Self.parse(
            """
            dashboards:
              - mine:
                  panels:
                    - p:
                        title: P
                        queries:
                          - expr: rate(x[$__interval]) +* 2
            """)
        let error = try #require(outcome.errors.first)
        #expect(outcome.value == nil)
        #expect(error.file == "d.yaml")
        #expect(error.position == "7:45", "\(error)")
    }

    @Test("unknown keys, styles and panels, and missing queries, each at its line and column")
    func problems() {
        let outcome = Self.parse(
            """
            dashboards:
              - mine:
                  panels:
                    - token_refresh_succes_rate
                    - p:
                        title: P
                        draw: sparkline
                        colour: red
                    - q:
                        title: Q
                        queries:
                          - expr: x[5m]
            """)
        let messages = outcome.errors.map { "\($0.position) \($0.message)" }
        #expect(messages.count == 5, "\(messages)")
        #expect(messages.contains { $0.hasPrefix("4:11 ") && $0.contains("did you mean 'token_refresh_success_rate'") })
        #expect(messages.contains { $0.hasPrefix("7:19 ") && $0.contains("graph") })
        #expect(messages.contains { $0.contains("colour") })
        #expect(messages.contains { $0.contains("missing required key 'queries'") })
        #expect(messages.contains { $0.hasPrefix("12:23 ") && $0.contains("range vector") })
    }

    @Test("the configuration's dashboard: key names the file, relative to the configuration; config check reads it")
    func configuration() throws {
        let files: [String: String] = [
            "/etc/oauthtop/oauthtop.yaml": """
            dashboard: boards/mine.yaml
            providers:
              - name: p
                grant: client_credentials
                token_endpoints: [https://idp.test/token]
                client_id: c
                client_secret: {env: SECRET}
            """,
            "/etc/oauthtop/boards/mine.yaml": """
            dashboards:
              - mine:
                  panels:
                    - p:
                        title: P
                        queries:
                          - expr: sum(rate(x[5m]
            """,
        ]
        let report = OAuthTopConfiguration.check(
            path: "/etc/oauthtop/oauthtop.yaml", environment: ["SECRET": "v"], fileReader: .inMemory(files))
        #expect(!report.isValid)
        #expect(report.diagnostics.map(\.file) == ["/etc/oauthtop/boards/mine.yaml"], "\(report.lines)")
        let configuration = try #require(
            parseConfig(files["/etc/oauthtop/oauthtop.yaml"] ?? "", environment: ["SECRET": "v"]).value)
        #expect(configuration.dashboard == "boards/mine.yaml")
        #expect(
            configuration.dashboardPath(configPath: "/etc/oauthtop/oauthtop.yaml") == "/etc/oauthtop/boards/mine.yaml")
        #expect(configuration.dashboardPath(configPath: nil) == "boards/mine.yaml")
    }
}
