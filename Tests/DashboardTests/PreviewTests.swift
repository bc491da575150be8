import Testing

@testable import Dashboard

@Test func preview() {
    for (c, r) in [(80, 24), (120, 40)] {
        let grid = DashboardRenderer.render(
            snapshot: DashboardFixtures.sample(columns: c, rows: r), state: DashboardState(), theme: .default,
            size: TerminalSize(columns: c, rows: r))
        print(grid.lines.map { "|" + $0 + "|" }.joined(separator: "\n"))
    }
}
