import OAuthTopTestKit
import Testing

@testable import Dashboard

@Suite("Widgets")
struct WidgetTests {
    @Test("sparkline: one column per point, right-aligned, gaps left unwritten, zero drawn lowest")
    func sparkline() {
        var grid = sentinelGrid(width: 10, height: 1)
        Sparkline.draw([0, 1, nil, 2, 3, 4, 5, 6, 7], in: Rect(x: 0, y: 0, width: 10, height: 1), style: .plain,
            ascii: false, into: &grid)
        expectLines(grid, ["¤▁▂¤▃▄▅▆▇█"])
    }

    @Test("sparkline: more points than columns keeps the newest; two rows stack")
    func sparklineTall() {
        var grid = sentinelGrid(width: 4, height: 2)
        Sparkline.draw([9, 9, 0, 5, 10, 15], in: Rect(x: 0, y: 0, width: 4, height: 2), minimum: 0, maximum: 15,
            style: .plain, ascii: false, into: &grid)
        expectLines(grid, ["¤¤▃█", "▁▆██"])
    }

    @Test("sparkline: ASCII levels")
    func sparklineASCII() {
        var grid = sentinelGrid(width: 8, height: 1)
        Sparkline.draw((0..<8).map { Double($0) }, in: Rect(x: 0, y: 0, width: 8, height: 1), style: .plain,
            ascii: true, into: &grid)
        expectLines(grid, ["..:-=+*#"])
    }

    @Test("gauge: eighths in Unicode, whole cells in ASCII", arguments: [
        (false, 0.55, "████▍░░░"), (true, 0.55, "####----"), (false, nil, "░░░░░░░░"), (false, 2, "████████"),
    ] as [(Bool, Double?, String)])
    func gauge(ascii: Bool, fraction: Double?, expected: String) {
        var grid = sentinelGrid(width: 8, height: 1)
        Gauge.draw(fraction: fraction, in: Rect(x: 0, y: 0, width: 8, height: 1), filled: .plain, empty: .plain,
            ascii: ascii, into: &grid)
        expectLines(grid, [expected])
    }

    @Test("box: border and title, Unicode and ASCII")
    func box() {
        var grid = sentinelGrid(width: 12, height: 3)
        Box.draw(Rect(x: 0, y: 0, width: 12, height: 3), title: "Title", border: .plain, titleStyle: .plain,
            ascii: false, into: &grid)
        expectLines(grid, ["┌ Title ───┐", "│¤¤¤¤¤¤¤¤¤¤│", "└──────────┘"])
        var ascii = sentinelGrid(width: 8, height: 3)
        Box.draw(Rect(x: 0, y: 0, width: 8, height: 3), title: "A long title", border: .plain, titleStyle: .plain,
            fill: .plain, ascii: true, into: &ascii)
        expectLines(ascii, ["+ A l -+", "|      |", "+------+"])
    }

    @Test("single stat: value, trend arrow coloured by whether a rise is good, note")
    func singleStat() {
        var grid = sentinelGrid(width: 16, height: 2)
        let theme = Theme.default
        SingleStat.draw(value: "98.5%", valueStyle: theme[.good], trend: 0.1, higherIsBetter: true, note: "5m",
            x: 0, y: 0, width: 16, theme: theme, ascii: false, into: &grid)
        SingleStat.draw(value: "412ms", valueStyle: theme[.value], trend: 0.1, higherIsBetter: false, note: "p50",
            x: 0, y: 1, width: 16, theme: theme, ascii: true, into: &grid)
        expectLines(grid, ["98.5%¤▲¤5m¤¤¤¤¤¤", "412ms¤^¤p50¤¤¤¤¤"])
        #expect(grid[6, 0].style == theme[.trendGood])
        #expect(grid[6, 1].style == theme[.trendBad])
        #expect(grid[0, 0].style == theme[.good])
    }

    @Test("badge: each breaker state in its own role; open is red", arguments: [
        (BreakerStatus.closed, " CLOSED ", ThemeRole.breakerClosed),
        (.halfOpen, " HALF-OPEN ", .breakerHalfOpen),
        (.open, " OPEN ", .breakerOpen),
    ])
    func badge(state: BreakerStatus, text: String, role: ThemeRole) {
        var grid = sentinelGrid(width: 12, height: 1)
        let written = Badge.draw(breaker: state, x: 0, y: 0, maxWidth: 12, theme: .default, into: &grid)
        #expect(written == text.count)
        #expect(grid.lines[0].hasPrefix(text))
        expectStyle(grid, Rect(x: 0, y: 0, width: written, height: 1), Theme.default[role])
        if state == .open { #expect(grid[1, 0].style.background == .ansi(1)) }
    }

    @Test("table: header, right alignment, selected row, clipping")
    func table() {
        var grid = sentinelGrid(width: 14, height: 3)
        Table.draw(
            columns: [Table.Column("name", width: 6), Table.Column("n", width: 3, alignRight: true),
                Table.Column("x", width: 0)],
            rows: [[.init("github"), .init("7"), .init("abcdef")], [.init("okta"), .init("12"), .init("z")]],
            in: Rect(x: 0, y: 0, width: 14, height: 3),
            header: true,
            selectedRow: 1,
            theme: .default,
            into: &grid
        )
        expectLines(grid, ["name¤¤¤¤¤n¤x¤¤", "github¤¤¤7¤abc", "okta    12 z  "])
        #expect(grid[0, 0].style == Theme.default[.tableHeader])
        #expect(grid[13, 2].style == Theme.default[.selected])
    }

    @Test("value formats")
    func formats() {
        #expect(ValueFormat.percent(0.985) == "98.5%")
        #expect(ValueFormat.percent(1) == "100.0%")
        #expect(ValueFormat.latency(0.0004) == "400µs")
        #expect(ValueFormat.latency(0.412) == "412ms")
        #expect(ValueFormat.latency(1.5) == "1.50s")
        #expect(ValueFormat.duration(42) == "42s")
        #expect(ValueFormat.duration(307) == "5m07s")
        #expect(ValueFormat.duration(3725) == "1h02m")
        #expect(ValueFormat.duration(-5) == "-5s")
        #expect(ValueFormat.rate(0.03) == "0.03/s")
        #expect(ValueFormat.number(12_345) == "12.3k")
        #expect(ValueFormat.clock(DashboardFixtures.now) == "22:13:20")
        #expect(ValueFormat.clock(DashboardFixtures.now, utcOffsetSeconds: 3600) == "23:13:20")
    }
}
