import Dashboard
import Foundation

/// Feeds bytes to what `oauthtop watch` does with a daemon's `GET /v1/dashboard` answer: decode it as a
/// ``DashboardSnapshot``, check it (`validated()`), and when it passes draw it at 80x24 and 200x60 with its detail and consumers views
/// open. Any answer gives a decoding error or a frame, never a crash (times, counts and values at their extremes
/// included).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDashboardSnapshot(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Data(UnsafeRawBufferPointer(start: start, count: count))
    guard let decoded = try? JSONDecoder().decode(DashboardSnapshot.self, from: bytes) else { return 0 }
    let snapshot: DashboardSnapshot
    do {
        snapshot = try decoded.validated()
    } catch {
        precondition(!error.description.isEmpty)
        return 0
    }
    for (columns, rows) in [(80, 24), (200, 60)] {
        for keys in [[], [Key.enter], [Key.character("c")], [Key.character("a")]] as [[Key]] {
            var state = DashboardState()
            let shown = state.present(snapshot)
            for key in keys { _ = state.handle(key) }
            var grid = CellGrid(width: 0, height: 0)
            DashboardRenderer.render(
                snapshot: shown, state: state, theme: .default, size: TerminalSize(columns: columns, rows: rows),
                options: RenderOptions(ascii: false, noColor: false), into: &grid
            )
        }
    }
    return 0
}
