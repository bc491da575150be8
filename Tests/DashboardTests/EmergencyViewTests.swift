import Foundation
import OAuthTopTestKit
import Testing

@testable import Dashboard

/// Emergency mode on the dashboard: the header's banner and provider names, the panels' provider lists and the
/// detail view's list of what was tried, all in the theme's `critical` role.
@Suite("Emergency mode on the dashboard")
struct EmergencyViewTests {
    static let second: Int64 = 1_000_000_000

    static let emergency = EmergencyRow(
        since: DashboardFixtures.now - 42 * second,
        tried: [
            .init(
                method: "oauth", entry: "OAuth", reason: "breaker_open",
                detail: "provider 'okta': circuit breaker open after 2 failed rounds"
            ),
            .init(
                method: "alternate_provider", entry: "alternate provider 'github'", reason: "alternate_failed",
                detail: "provider 'github': all 1 token endpoint(s) failed"
            ),
            .init(
                method: "emergency_key", entry: "emergency key secret(sha256:1a2b3c4d)", reason: "not_approved",
                detail: "not approved: approval file '/run/approve' does not exist"
            ),
        ]
    )

    /// The fixture with okta (the third provider) in emergency mode.
    static func snapshot(columns: Int = 80, rows: Int = 24) -> DashboardSnapshot {
        var snapshot = DashboardFixtures.sample(columns: columns, rows: rows)
        snapshot.providers[2].emergency = Self.emergency
        return snapshot
    }

    @Test("the header: an EMERGENCY banner first and the provider's name, in the critical role")
    func header() {
        var grid = sentinelGrid(width: 80, height: 1)
        DashboardRenderer.drawHeader(
            snapshot: Self.snapshot(), state: DashboardState(), in: Rect(x: 0, y: 0, width: 80, height: 1),
            theme: .default, ascii: false, into: &grid
        )
        expectLines(grid, [
            " oauthtop │  EMERGENCY: okta  │ github google okta! │ up 1h02m │ 22:13:20 │ demo"
        ])
        let critical = Theme.default[.critical]
        expectStyle(grid, Rect(x: 12, y: 0, width: 17, height: 1), critical)
        expectStyle(grid, Rect(x: 46, y: 0, width: 5, height: 1), critical)
        #expect(grid[32, 0].style == Theme.default[.headerAccent].union(Theme.default[.selected]), "github selected")
        #expect(grid[39, 0].style == Theme.default[.header], "google as usual")
    }

    @Test("the header without an emergency is as before", arguments: [false, true])
    func headerWithout(ascii: Bool) {
        var grid = sentinelGrid(width: 80, height: 1)
        DashboardRenderer.drawHeader(
            snapshot: DashboardFixtures.sample(columns: 80, rows: 24), state: DashboardState(),
            in: Rect(x: 0, y: 0, width: 80, height: 1), theme: .default, ascii: ascii, into: &grid
        )
        let bar = ascii ? "|" : "│"
        expectLines(grid, [
            " oauthtop \(bar) github google okta! \(bar) up 1h02m \(bar) 22:13:20 \(bar) demo \(bar) range 5m         "
        ])
    }

    @Test("the panels list the provider's name in the critical role")
    func panelRows() throws {
        let grid = DashboardRenderer.render(
            snapshot: Self.snapshot(), state: DashboardState(), theme: .default,
            size: TerminalSize(columns: 80, rows: 24)
        )
        // The circuit breaker panel's row of okta.
        let row = try #require(find(" OPEN  okta", in: grid))
        expectStyle(grid, Rect(x: row.x + 7, y: row.y, width: 4, height: 1), Theme.default[.critical])
        let github = try #require(find("github   100.0%", in: grid))
        #expect(grid[github.x, github.y].style == Theme.default[.selected], "a provider not in emergency as before")
    }

    @Test("the detail view lists what was tried, OAuth first, line by line")
    func detailLines() {
        var row = Self.snapshot().providers[2]
        let lines = ProviderDetailView.emergencyLines(row, now: DashboardFixtures.now, width: 60)
        var grid = sentinelGrid(width: 60, height: lines.count)
        for (index, line) in lines.enumerated() {
            line.draw(x: 0, y: index, maxX: 60, theme: .default, into: &grid)
        }
        expectLines(grid, [
            " EMERGENCY: no method gives a token  since 42s ago¤¤¤¤¤¤¤¤¤¤",
            "  1) OAuth breaker_open¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤",
            "     provider 'okta': circuit breaker open after 2 failed¤¤¤",
            "     rounds¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤",
            "  2) alternate provider 'github' alternate_failed¤¤¤¤¤¤¤¤¤¤¤",
            "     provider 'github': all 1 token endpoint(s) failed¤¤¤¤¤¤",
            "  3) emergency key secret(sha256:1a2b3c4d) not_approved¤¤¤¤¤",
            "     not approved: approval file '/run/approve' does not¤¤¤¤",
            "     exist¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤",
        ])
        expectStyle(grid, Rect(x: 0, y: 0, width: 35, height: 1), Theme.default[.critical])
        expectStyle(grid, Rect(x: 10, y: 1, width: 12, height: 1), Theme.default[.bad])
        row.emergency = nil
        #expect(ProviderDetailView.emergencyLines(row, now: DashboardFixtures.now, width: 60).isEmpty)
    }

    @Test("the detail view opens with the emergency section")
    func detailFrame() throws {
        var state = DashboardState()
        _ = state.present(Self.snapshot(columns: 120, rows: 40))
        for key in [Key.up, .enter] { _ = state.handle(key) }
        let grid = DashboardRenderer.render(
            snapshot: Self.snapshot(columns: 120, rows: 40), state: state, theme: .default,
            size: TerminalSize(columns: 120, rows: 40)
        )
        let banner = try #require(find("EMERGENCY: no method gives a token", in: grid))
        let token = try #require(find("Token", in: grid))
        #expect(banner.y < token.y, "emergency first, where a short terminal still shows it")
        #expect(grid[banner.x, banner.y].style == Theme.default[.critical])
        #expect(find("3) emergency key secret(sha256:1a2b3c4d) not_approved", in: grid) != nil)
    }

    @Test("a row with emergency mode survives JSON; one without the field decodes as none")
    func codable() throws {
        let row = Self.snapshot().providers[2]
        let decoded = try JSONDecoder().decode(ProviderRow.self, from: JSONEncoder().encode(row))
        #expect(decoded == row)
        #expect(decoded.emergency?.tried.map(\.reason) == ["breaker_open", "alternate_failed", "not_approved"])
        var old = try JSONSerialization.jsonObject(with: JSONEncoder().encode(row)) as? [String: Any] ?? [:]
        old["emergency"] = nil
        let older = try JSONDecoder().decode(ProviderRow.self, from: JSONSerialization.data(withJSONObject: old))
        #expect(older.emergency == nil)
    }

    @Test("every built-in theme gives the critical role a style of its own", arguments: Theme.builtIn.map(\.name))
    func themes(name: String) throws {
        let theme = try #require(Theme.builtIn(named: name))
        #expect(theme[.critical] != theme[.text])
        #expect(theme[.critical] != theme[.header])
    }
}

extension EmergencyViewTests {
    @Test("a snapshot from another process with an emergency outside 1970-2200 is refused, naming the field")
    func validation() throws {
        var snapshot = Self.snapshot()
        #expect(try snapshot.validated().providers[2].emergency == Self.emergency)
        snapshot.providers[2].emergency?.since = -5
        do {
            _ = try snapshot.validated()
            Issue.record("a negative emergency.since was accepted")
        } catch {
            #expect(error.field == "providers[2].emergency.since")
        }
    }
}
