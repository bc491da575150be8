import Foundation
import Testing

@testable import Dashboard

/// Expected frames too large to write inline live in `Snapshots/NAME.txt`, one grid row per line.
///
/// Run with `DASHBOARD_RECORD_SNAPSHOTS=1` to (re)write them from the current rendering, then review the diff.
enum SnapshotFiles {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Snapshots")

    static var recording: Bool { ProcessInfo.processInfo.environment["DASHBOARD_RECORD_SNAPSHOTS"] == "1" }

    /// Compares `grid` with the snapshot `name`, or records it in recording mode.
    static func expectMatches(_ grid: CellGrid, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let url = self.directory.appendingPathComponent(name + ".txt")
        if self.recording {
            try? (grid.lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
            return
        }
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            Issue.record("missing snapshot \(name).txt: run with DASHBOARD_RECORD_SNAPSHOTS=1",
                sourceLocation: sourceLocation)
            return
        }
        var lines = text.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        expectLines(grid, lines, sourceLocation: sourceLocation)
    }
}
