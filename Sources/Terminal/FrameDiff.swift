import Cells

/// Which cells changed between the frame on screen and the next one, as runs per row.
///
/// The terminal backend keeps the last frame it drew and sends only these runs, so a frame that
/// did not change costs a comparison and no terminal output at all.
public enum FrameDiff {
    /// The runs of `current` that differ from `previous`, top to bottom, left to right.
    ///
    /// Without a previous frame, or when the size changed, every row is one full run. A run never
    /// starts on the right half of a wide character: it is widened to include the left half, and a
    /// run ending on a wide character includes its right half, so the drawer always has whole
    /// characters. Runs that touch after widening are merged.
    ///
    /// - Parameters:
    ///   - previous: The frame on screen, or `nil` to draw everything.
    ///   - current: The frame to draw.
    /// - Returns: The runs to draw; empty when nothing changed.
    public static func changedRuns(from previous: CellGrid?, to current: CellGrid) -> [CellRun] {
        let width = current.width
        guard width > 0, current.height > 0 else { return [] }
        guard let previous, previous.width == width, previous.height == current.height else {
            return (0..<current.height).map { CellRun(row: $0, columns: 0..<width) }
        }
        if previous == current { return [] }

        var runs: [CellRun] = []
        current.cells.withUnsafeBufferPointer { now in
            previous.cells.withUnsafeBufferPointer { before in
                for row in 0..<current.height {
                    let base = row * width
                    var column = 0
                    while column < width {
                        guard now[base + column] != before[base + column] else {
                            column += 1
                            continue
                        }
                        var start = column
                        var end = column + 1
                        while end < width, now[base + end] != before[base + end] { end += 1 }
                        column = end
                        if start > 0, now[base + start].width == 0 { start -= 1 }
                        if end < width, now[base + end - 1].width == 2 { end += 1 }
                        if let last = runs.last, last.row == row, last.columns.upperBound >= start {
                            runs[runs.count - 1].columns = last.columns.lowerBound..<max(end, last.columns.upperBound)
                        } else {
                            runs.append(CellRun(row: row, columns: start..<end))
                        }
                        column = max(column, end)
                    }
                }
            }
        }
        return runs
    }
}
