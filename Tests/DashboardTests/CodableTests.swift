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

    @Test("a dashboard of seven panels puts the seventh on a third row, a strip the screen's width, and draws it")
    func extraPanel() {
        var snapshot = DashboardFixtures.sample(columns: 120, rows: 40)
        snapshot.panels = Array(snapshot.panels.prefix(6))
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
        #expect(layout?.panels[6].width == 120 && layout?.panels[6].x == 0)
        #expect((layout?.panels[6].height ?? 0) >= 3 && (layout?.panels[6].height ?? 0) < (layout?.panels[0].height ?? 0))
    }

    @Test(
        "the layout fits: panels and lists inside the screen, without overlap, the seed's panels 7 rows at 80x24",
        arguments: [(80, 24), (120, 40), (200, 60)]
    )
    func layoutFits(columns: Int, rows: Int) throws {
        for count in 1...9 {
            let layout = try #require(DashboardLayout(size: TerminalSize(columns: columns, rows: rows), panelCount: count))
            let parts = layout.panels + [layout.alerts, layout.events]
            for part in parts {
                #expect(part.x >= 0 && part.y >= 1 && part.maxX <= columns && part.maxY <= rows - 1, "\(count): \(part)")
                #expect(part.width >= 26 && part.height >= 3, "\(count) panels: \(part)")
            }
            #expect(layout.alerts.height >= 5, "\(count) panels: the lists keep 5 rows")
            for (index, part) in parts.enumerated() {
                for other in parts[(index + 1)...] {
                    let overlaps = part.x < other.maxX && other.x < part.maxX && part.y < other.maxY && other.y < part.maxY
                    #expect(!overlaps, "\(count) panels: \(part) overlaps \(other)")
                }
            }
        }
        let seven = try #require(DashboardLayout(size: TerminalSize(columns: columns, rows: rows), panelCount: 7))
        #expect(seven.panels.prefix(6).allSatisfy { $0.height >= 7 })
        if columns == 80 { #expect(seven.panels[6].height == 3 && seven.alerts.height == 5) }
    }
}

@Suite("Snapshot across versions")
struct SnapshotVersionTests {
    @Test("consumers and the detail fields survive JSON unchanged")
    func roundTripDetail() throws {
        let snapshot = DashboardFixtures.sample(columns: 80, rows: 24)
        #expect(!snapshot.consumers.isEmpty && !snapshot.providers[2].endpoints.isEmpty)
        let decoded = try JSONDecoder().decode(DashboardSnapshot.self, from: try JSONEncoder().encode(snapshot))
        #expect(decoded == snapshot)
        #expect(decoded.consumers == snapshot.consumers)
        #expect(decoded.providers[2].breakerHistory == snapshot.providers[2].breakerHistory)
    }

    @Test("a snapshot from an older oauthtop (no consumers, no detail fields) decodes with defaults")
    func olderSnapshot() throws {
        let snapshot = DashboardFixtures.sample(columns: 80, rows: 24)
        var object = try #require(
            try JSONSerialization.jsonObject(with: try JSONEncoder().encode(snapshot)) as? [String: Any])
        object["consumers"] = nil
        let newFields = [
            "tokenFingerprint", "issuedAt", "advisoryAt", "mandatoryAt", "endpoint", "endpoints", "breakerHistory",
            "consecutiveFailures", "rounds", "failedRounds", "lastSuccessAt", "skewSeconds", "fallbackChain",
            "fallbackInUse",
        ]
        let providers = try #require(object["providers"] as? [[String: Any]])
        object["providers"] = providers.map { row in
            var row = row
            for field in newFields { row[field] = nil }
            return row
        }
        let old = try JSONSerialization.data(withJSONObject: object)
        let decoded = try JSONDecoder().decode(DashboardSnapshot.self, from: old)
        #expect(decoded.consumers.isEmpty)
        #expect(decoded.providers.map(\.name) == ["github", "google", "okta"])
        #expect(decoded.providers[2].endpoints.isEmpty && decoded.providers[2].breakerHistory.isEmpty)
        #expect(decoded.providers[2].tokenFingerprint == nil && decoded.providers[2].rounds == 0)
        #expect(decoded.providers[2].lastError == snapshot.providers[2].lastError)
        // The detail view still draws from what there is.
        var state = DashboardState()
        _ = state.present(decoded)
        _ = state.handle(.enter)
        let grid = DashboardRenderer.render(
            snapshot: decoded, state: state, theme: .default, size: TerminalSize(columns: 80, rows: 24))
        #expect(find("none known", in: grid) != nil)
    }

    @Test("a consumer from a newer oauthtop with unknown fields and a new kind decodes")
    func newerConsumer() throws {
        let json = #"{"kind":"grpc","name":"worker","provider":"github","shiny":true}"#
        let row = try JSONDecoder().decode(ConsumerRow.self, from: Data(json.utf8))
        #expect(row.kind.rawValue == "grpc" && row.name == "worker" && row.pid == nil && row.since == nil)
    }
}

/// A snapshot from another process is checked before it is drawn (found by FuzzDashboardSnapshot: an uptime or
/// a time at Int64's ends trapped in the renderer's arithmetic).
@Suite("Snapshot validation")
struct SnapshotValidationTests {
    @Test("a real snapshot passes, its panels dropped (the watching dashboard evaluates its own)")
    func realSnapshotPasses() throws {
        let snapshot = DashboardFixtures.sample(columns: 120, rows: 40)
        let checked = try snapshot.validated()
        #expect(checked.panels.isEmpty)
        #expect(checked.providers == snapshot.providers)
        #expect(checked.events == snapshot.events)
    }

    @Test("times, uptime, counts and figures out of range are refused, naming the field")
    func extremesRefused() {
        var snapshot = DashboardFixtures.sample(columns: 120, rows: 40)
        snapshot.providers[0].breakerSince = .max
        #expect(throws: DashboardSnapshotError.self) { try snapshot.validated() }
        do {
            _ = try snapshot.validated()
        } catch {
            #expect(error.field == "providers[0].breakerSince")
        }
        var uptime = DashboardFixtures.sample(columns: 120, rows: 40)
        uptime.uptime = .seconds(Int64.max)
        #expect(throws: DashboardSnapshotError(field: "uptime", problem: "not between 0 and a century")) {
            try uptime.validated()
        }
        var lifetime = DashboardFixtures.sample(columns: 120, rows: 40)
        lifetime.providers[0].lifetimeSeconds = .infinity
        #expect(throws: DashboardSnapshotError.self) { try lifetime.validated() }
        var event = DashboardFixtures.sample(columns: 120, rows: 40)
        event.events[0].time = -1
        #expect(throws: DashboardSnapshotError.self) { try event.validated() }
    }
}
