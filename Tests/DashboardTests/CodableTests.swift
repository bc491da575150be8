import Foundation
import OAuthTopTestKit
import Testing

@testable import Dashboard

@Suite("Snapshot as a value")
struct CodableTests {
    @Test("a snapshot survives JSON unchanged, panels, rows and ranges included")
    func roundTrip() throws {
        let snapshot = DashboardFixtures.sample(columns: 120, rows: 40)
        let data = try JSONEncoder().encode(snapshot)
        let decoded = try JSONDecoder().decode(DashboardSnapshot.self, from: data)
        #expect(decoded == snapshot)
        // The same frame either way.
        let state = DashboardState()
        let size = TerminalSize(columns: 120, rows: 40)
        #expect(
            DashboardRenderer.render(snapshot: decoded, state: state, theme: .default, size: size)
                == DashboardRenderer.render(snapshot: snapshot, state: state, theme: .default, size: size))
    }

    @Test("ranges, states and breakers are written as their names")
    func names() throws {
        let row = ProviderRow(name: "a", phase: .advisory, breaker: .halfOpen)
        let text = String(decoding: try JSONEncoder().encode(row), as: UTF8.self)
        #expect(text.contains(#""phase":"advisory""#))
        #expect(text.contains(#""breaker":"half_open""#))
        #expect(String(decoding: try JSONEncoder().encode(TimeRange.fifteenMinutes), as: UTF8.self) == #""15m""#)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(TimeRange.self, from: Data(#""2m""#.utf8)) }
    }

    @Test("a dashboard of seven panels puts the seventh on a third row and draws it")
    func extraPanel() {
        var snapshot = DashboardFixtures.sample(columns: 120, rows: 40)
        let definition = PanelDefinition(
            name: "token_requests", title: "Token requests", style: .graph, unit: "per_second",
            queries: [PanelQuery(expression: "sum(rate(oauth_token_requests_total[$__rate_interval]))", legend: "all")])
        snapshot.panels.append(
            Panel(definition: definition, series: [DashboardSeries(label: "all", value: 2.5, points: [1, 2, 3])]))
        let grid = DashboardRenderer.render(
            snapshot: snapshot, state: DashboardState(), theme: .default, size: TerminalSize(columns: 120, rows: 40))
        let title = find("7 Token requests", in: grid)
        #expect(title != nil)
        #expect(find("2.5/s", in: grid) != nil)
        let layout = DashboardLayout(size: TerminalSize(columns: 120, rows: 40), panelCount: 7)
        #expect(layout?.panels.count == 7)
        #expect(title?.y == layout?.panels[6].y)
    }
}
