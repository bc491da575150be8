import Benchmark
import Dashboard

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, .cpuTotal],
        warmupIterations: 5,
        maxDuration: .seconds(3),
        maxIterations: 2_000
    )

    // One full frame at 200x60 from a realistic snapshot, into a reused grid (as the dashboard does).
    Benchmark("render a 200x60 frame") { benchmark in
        let size = TerminalSize(columns: 200, rows: 60)
        let snapshot = DashboardFixtures.sample(columns: size.columns, rows: size.rows)
        let state = DashboardState(range: .fiveMinutes)
        var grid = CellGrid(width: 0, height: 0)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            DashboardRenderer.render(snapshot: snapshot, state: state, theme: .default, size: size, into: &grid)
            blackHole(grid.width)
        }
    }
}
