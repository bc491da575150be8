import OAuthTopTestKit
import Testing

@testable import Dashboard

@Suite("Rendered frames")
struct RenderTests {
    static func frame(
        columns: Int,
        rows: Int,
        state: DashboardState = DashboardState(),
        theme: Theme = .default,
        options: RenderOptions = .default
    ) -> CellGrid {
        DashboardRenderer.render(
            snapshot: DashboardFixtures.sample(columns: columns, rows: rows),
            state: state,
            theme: theme,
            size: TerminalSize(columns: columns, rows: rows),
            options: options
        )
    }

    @Test("full layouts at 80x24, 120x40 and 200x60", arguments: [(80, 24), (120, 40), (200, 60)])
    func layouts(columns: Int, rows: Int) throws {
        let grid = Self.frame(columns: columns, rows: rows)
        SnapshotFiles.expectMatches(grid, "layout-\(columns)x\(rows)")
        // All six panels, both lists and the footer are there at every size.
        for index in DashboardFixtures.seedPanels.indices {
            #expect(find("\(index + 1) ", in: grid) != nil)
        }
        #expect(find("Alerts: 1 firing, 1 pending", in: grid) != nil)
        #expect(find("Recent events", in: grid) != nil)
        #expect(find("q quit", in: grid)?.y == rows - 1)
        // Colours come from the theme's roles.
        #expect(grid[columns - 1, 0].style == Theme.default[.header])
        let open = try #require(find(" OPEN ", in: grid))
        #expect(grid[open.x + 1, open.y].style == Theme.default[.breakerOpen])
        #expect(grid[open.x + 1, open.y].style.background == .ansi(1))
        let quit = try #require(find("q quit", in: grid))
        #expect(grid[quit.x, quit.y].style == Theme.default[.footerKey])
    }

    @Test("larger terminals show more history and more events")
    func moreHistory() {
        let small = DashboardFixtures.sample(columns: 80, rows: 24)
        let large = DashboardFixtures.sample(columns: 200, rows: 60)
        #expect(small.panels[2].series[0].points.count == 24)
        #expect(large.panels[2].series[0].points.count == 64)
        let smallEvents = Self.frame(columns: 80, rows: 24).lines.filter { $0.contains("refresh_started") }.count
        let largeEvents = Self.frame(columns: 200, rows: 60).lines.filter { $0.contains("refresh_started") }.count
        #expect(largeEvents > smallEvents)
    }

    @Test("80x24 frame, line by line")
    func frame80x24() {
        expectLines(Self.frame(columns: 80, rows: 24), [
            " oauthtop │ github google okta! │ up 1h02m │ 22:13:20 │ demo │ range 5m         ",
            "┌ 1 Refresh success ──────┐┌ 2 Token lifetime ───────┐┌ 3 Refresh latency p99 ─┐",
            "│94.2% • of rounds, 5m    ││avg 35m00s github exp 45m││p99 412ms ▲ p50 38ms    │",
            "│ ███ █▁████ █████▁ ██████││ ██████████▇▇▇▇▇▇▇▇▇▇▇▇▇▇││     ▁▃▆██▆▃▁         ▁▃│",
            "│ ███ ██████ ██████ ██████││ ████████████████████████││  ▁▄▆████████▆▄▁   ▁▄▆██│",
            "│github   100.0%  ████████││github   exp 45m10s ███▊░││▄▇██████████████▇▄▇█████│",
            "│google   97.5%   ███████▊││google   exp 2m10s ▍░░░░░││p50      38ms           │",
            "└─────────────────────────┘└─────────────────────────┘└────────────────────────┘",
            "┌ 4 Fallback usage ───────┐┌ 5 Circuit breaker ──────┐┌ 6 Refresh conflicts ───┐",
            "│3 uses • in 5m           ││ CLOSED  github for 1h02m││2 races • in 5m, 0/s    │",
            "│                     █   ││                         ││       █                │",
            "│ ▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁█▁▁▁││ ▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁││▁▁▁▁▁▁▁█▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁│",
            "│app_toke 2               ││ OPEN  okta     42s      ││github   0              │",
            "│emergenc 1               ││ HALF-OPEN  google   4s  ││google   2              │",
            "└─────────────────────────┘└─────────────────────────┘└────────────────────────┘",
            "┌ 7 API calls through the proxies ─────────────────────────────────────────────┐",
            "│12.3/s ▲ requests, 5m  errors 2.1%  replays 3  quota 92.0%  shed 0            │",
            "└──────────────────────────────────────────────────────────────────────────────┘",
            "┌ Alerts: 1 firing, 1 pending ─┐┌ Recent events ───────────────────────────────┐",
            "│FIRING  CircuitBrea…    40s cr││22:12:59 google   retry             endpoint=p│",
            "│pending HighTokenRe…    25s wa││22:13:06 okta     failover          endpoint=s│",
            "│                              ││22:13:13 github   refresh_succeeded endpoint=s│",
            "└──────────────────────────────┘└──────────────────────────────────────────────┘",
            " r refresh  R refresh all  tab/S-tab panel  ↓/↑ provider        ? help  q quit  ",
        ])
    }

    @Test("below 80x24 it says so, centred, instead of drawing", arguments: [(79, 24), (80, 23), (60, 5)])
    func tooSmall(columns: Int, rows: Int) throws {
        let grid = Self.frame(columns: columns, rows: rows)
        let message = "terminal too small: \(columns)x\(rows), need 80x24"
        let position = try #require(find(message, in: grid))
        #expect(position.y == (rows - 1) / 2)
        #expect(position.x == (columns - message.count) / 2)
        #expect(grid.lines.filter { !$0.allSatisfy { $0 == " " } }.count == 1)
        #expect(grid[position.x, position.y].style == Theme.default[.tooSmall])
    }

    @Test("too-small frame, line by line")
    func tooSmallLines() {
        let grid = Self.frame(columns: 44, rows: 3)
        expectLines(grid, [
            "                                            ",
            "    terminal too small: 44x3, need 80x24    ",
            "                                            ",
        ])
    }

    @Test("ASCII fallback uses only ASCII characters")
    func ascii() {
        for (columns, rows) in [(80, 24), (120, 40)] {
            let grid = Self.frame(columns: columns, rows: rows, options: RenderOptions(ascii: true))
            let nonASCII = grid.cells.filter { !$0.character.isASCII }
            #expect(nonASCII.isEmpty, "non-ASCII: \(String(nonASCII.prefix(5).map(\.character)))")
        }
        let grid = Self.frame(columns: 80, rows: 24, options: RenderOptions(ascii: true))
        SnapshotFiles.expectMatches(grid, "ascii-80x24")
        #expect(grid.lines[1].hasPrefix("+ 1 Refresh success ------+"))
        #expect(grid.lines[2].hasPrefix("|94.2% = of rounds, 5m    |"))
    }

    @Test("--no-color: no colour anywhere, states still told apart by attributes")
    func noColor() throws {
        let grid = Self.frame(columns: 80, rows: 24, options: RenderOptions(noColor: true))
        #expect(grid.cells.allSatisfy { $0.style.foreground == .default && $0.style.background == .default })
        let open = try #require(find(" OPEN ", in: grid))
        #expect(grid[open.x + 1, open.y].style.attributes.contains(.reverse))
    }

    @Test("paused: a reverse banner across the whole header")
    func paused() {
        var state = DashboardState()
        _ = state.present(DashboardFixtures.sample(columns: 80, rows: 24))
        _ = state.handle(.character("p"))
        let grid = Self.frame(columns: 80, rows: 24, state: state)
        expectLines(
            CellGrid(width: 80, height: 1, fill: .blank).replacingRow(with: grid, row: 0),
            ["   PAUSED — display frozen at 22:13:20 — data is still collected — p resumes    "]
        )
        expectStyle(grid, Rect(x: 0, y: 0, width: 80, height: 1), Theme.default[.paused])
        #expect(Theme.default[.paused].attributes.contains(.reverse))
    }

    @Test("help overlay lists every binding of the key table")
    func help() {
        var state = DashboardState()
        _ = state.handle(.character("?"))
        let grid = Self.frame(columns: 80, rows: 24, state: state)
        for binding in KeyBinding.table {
            #expect(find(binding.description, in: grid) != nil, "\(binding.description)")
        }
        SnapshotFiles.expectMatches(grid, "help-80x24")
    }

    @Test("R opens a confirm dialog")
    func confirm() {
        var state = DashboardState()
        _ = state.present(DashboardFixtures.sample(columns: 80, rows: 24))
        #expect(state.handle(.character("R")).isEmpty)
        let grid = Self.frame(columns: 80, rows: 24, state: state)
        #expect(find("Refresh all 3 providers' tokens now?", in: grid) != nil)
        SnapshotFiles.expectMatches(grid, "confirm-80x24")
    }

    @Test("each built-in theme colours the frame from its roles", arguments: Theme.builtIn.map(\.name))
    func themes(name: String) throws {
        let theme = try #require(Theme.builtIn(named: name))
        let grid = Self.frame(columns: 120, rows: 40, theme: theme)
        #expect(grid[0, 0].style == theme[.headerAccent])
        #expect(grid[119, 0].style == theme[.header])
        #expect(grid[0, 1].style == theme[.borderFocused])
        #expect(grid[40, 1].style == theme[.border])
        #expect(grid[42, 1].style == theme[.title])
    }

    @Test("rendering into the same grid again reuses it and gives the same frame")
    func reuse() {
        let snapshot = DashboardFixtures.sample(columns: 200, rows: 60)
        let size = TerminalSize(columns: 200, rows: 60)
        var grid = CellGrid(width: 0, height: 0)
        DashboardRenderer.render(snapshot: snapshot, state: DashboardState(), theme: .default, size: size, into: &grid)
        let first = grid
        DashboardRenderer.render(snapshot: snapshot, state: DashboardState(), theme: .default, size: size, into: &grid)
        #expect(grid == first)
    }
}

extension CellGrid {
    /// A one-row grid holding row `row` of `grid`.
    func replacingRow(with grid: CellGrid, row: Int) -> CellGrid {
        var copy = self
        for x in 0..<min(self.width, grid.width) { copy[x, 0] = grid[x, row] }
        return copy
    }
}
