import OAuthTopTestKit
import Testing

@testable import Dashboard

@Suite("Panels")
struct PanelTests {
    /// The seed's panels, by the names their snapshot files have.
    enum Seed: Int, CaseIterable {
        case successRate, lifetime, latency, fallback, breaker, conflicts
    }

    static func panel(_ kind: Seed, width: Int = 27, height: Int = 7, ascii: Bool = false) -> CellGrid {
        var grid = sentinelGrid(width: width, height: height)
        var state = DashboardState()
        let snapshot = DashboardFixtures.sample(columns: 80, rows: 24)
        _ = state.present(snapshot)
        state.selectedPanel = Seed.conflicts.rawValue
        PanelRenderer.draw(
            snapshot.panels[kind.rawValue], index: kind.rawValue, snapshot: snapshot, state: state,
            in: Rect(x: 0, y: 0, width: width, height: height), theme: .default, ascii: ascii, into: &grid
        )
        return grid
    }

    @Test("each panel at 27x7 and 40x11", arguments: Seed.allCases)
    func eachPanel(kind: Seed) {
        SnapshotFiles.expectMatches(Self.panel(kind), "panel-\(kind)-27x7")
        SnapshotFiles.expectMatches(Self.panel(kind, width: 40, height: 11), "panel-\(kind)-40x11")
    }

    @Test("success rate panel, line by line, with colours")
    func successRate() {
        let grid = Self.panel(.successRate)
        expectLines(grid, [
            "┌ 1 Refresh success ──────┐",
            "│94.2%¤•¤of rounds, 5m¤¤¤¤│",
            "│¤███¤█▁████¤█████▁¤██████│",
            "│¤███¤██████¤██████¤██████│",
            "│github¤¤¤100.0%¤¤████████│",
            "│google¤¤¤97.5%¤¤¤███████▊│",
            "└─────────────────────────┘",
        ])
        #expect(grid[1, 1].style == Theme.default[.warning])
        #expect(grid[2, 2].style == Theme.default[.graph])
        #expect(grid[1, 4].style == Theme.default[.selected])
        #expect(grid[1, 5].style == Theme.default[.eventProvider])
        #expect(grid[0, 0].style == Theme.default[.border])
    }

    @Test("a query that failed: its message in the error role, cut to the width, in place of the headline")
    func queryError() {
        var grid = sentinelGrid(width: 27, height: 7)
        var state = DashboardState()
        var snapshot = DashboardFixtures.sample(columns: 80, rows: 24)
        _ = state.present(snapshot)
        snapshot.panels[Seed.conflicts.rawValue] = Panel(
            definition: snapshot.panels[Seed.conflicts.rawValue].definition,
            error: "many-to-many matching not allowed"
        )
        PanelRenderer.draw(
            snapshot.panels[Seed.conflicts.rawValue], index: Seed.conflicts.rawValue, snapshot: snapshot,
            state: state, in: Rect(x: 0, y: 0, width: 27, height: 7), theme: .default, ascii: false, into: &grid
        )
        // The graph and the lines stay empty: the failed panel has no series.
        expectLines(grid, [
            "┌ 6 Refresh conflicts ────┐",
            "│query error: many-to-many│",
            "│¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤│",
            "│¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤│",
            "│¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤│",
            "│¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤│",
            "└─────────────────────────┘",
        ])
        expectStyle(grid, Rect(x: 1, y: 1, width: 25, height: 1), Theme.default[.eventError])
    }

    @Test("breaker panel: the open breaker is listed first, in red")
    func breaker() throws {
        let grid = Self.panel(.breaker)
        let open = try #require(find(" OPEN ¤okta", in: grid))
        #expect(open.y == 4)
        #expect(grid[open.x, open.y].style == Theme.default[.breakerOpen])
        #expect(grid[open.x, open.y].style.background == .ansi(1))
    }

    /// The API panel (the default dashboard's seventh) drawn at `width` x `height`, with the sample's series or
    /// none at all (a dashboard without proxy metrics).
    static func apiPanel(width: Int, height: Int, series: [DashboardSeries]? = nil) -> CellGrid {
        var grid = sentinelGrid(width: width, height: height)
        var state = DashboardState()
        let snapshot = DashboardFixtures.sample(columns: 80, rows: 24)
        _ = state.present(snapshot)
        var panel = snapshot.panels[6]
        if let series { panel.series = series }
        PanelRenderer.draw(
            panel, index: 6, snapshot: snapshot, state: state, in: Rect(x: 0, y: 0, width: width, height: height),
            theme: .default, ascii: false, into: &grid
        )
        return grid
    }

    @Test("API calls as the 80-column strip: the rate and every figure on one line, coloured by how bad")
    func apiStrip() throws {
        let grid = Self.apiPanel(width: 80, height: 3)
        expectLines(grid, [
            "┌ 7 API calls through the proxies ─────────────────────────────────────────────┐",
            "│12.3/s¤▲¤requests, 5m¤¤errors¤2.1%¤¤replays¤3¤¤quota¤92.0%¤¤shed¤0¤¤¤¤¤¤¤¤¤¤¤¤│",
            "└──────────────────────────────────────────────────────────────────────────────┘",
        ])
        let quota = try #require(find("92.0%", in: grid))
        #expect(grid[quota.x, quota.y].style == Theme.default[.warning], "from 90% of the quota: cached answers")
        let shed = try #require(find("shed¤0", in: grid))
        #expect(grid[shed.x + 5, shed.y].style == Theme.default[.good])
        let errors = try #require(find("2.1%", in: grid))
        #expect(grid[errors.x, errors.y].style == Theme.default[.warning])
        #expect(grid[1, 1].style == Theme.default[.value])
        #expect(grid[8, 1].character == "▲" && grid[8, 1].style == Theme.default[.trendGood])
    }

    @Test("API calls without proxy metrics: empty, not broken")
    func apiEmpty() {
        expectLines(Self.apiPanel(width: 80, height: 3, series: []), [
            "┌ 7 API calls through the proxies ─────────────────────────────────────────────┐",
            "│no API calls yet¤¤errors¤-¤¤replays¤-¤¤quota¤-¤¤shed¤-¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤¤│",
            "└──────────────────────────────────────────────────────────────────────────────┘",
        ])
        let grid = Self.apiPanel(width: 40, height: 11, series: [])
        #expect(find("no API calls yet", in: grid) != nil)
        #expect(grid[1, 1].style == Theme.default[.muted])
    }

    @Test("API calls: the quota at the shedding threshold is red; in a grid cell the figures are lines with a gauge")
    func apiLines() throws {
        var series = DashboardFixtures.apiSeries(points: 25)
        series[3].value = 0.97
        let grid = Self.apiPanel(width: 27, height: 11, series: series)
        let quota = try #require(find("97.0%", in: grid))
        #expect(grid[quota.x, quota.y].style == Theme.default[.bad])
        #expect(find("quota", in: grid)?.y == quota.y, "a line of its own")
        SnapshotFiles.expectMatches(grid, "panel-api-27x11")
        SnapshotFiles.expectMatches(Self.apiPanel(width: 200, height: 6), "panel-api-200x6")
    }

    @Test("the selected panel has the focused border")
    func focus() {
        #expect(Self.panel(.conflicts)[0, 0].style == Theme.default[.borderFocused])
    }
}
