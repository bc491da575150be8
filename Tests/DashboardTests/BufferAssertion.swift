import Testing

@testable import Dashboard

/// The character unwritten cells hold in widget tests, so a test sees exactly what a widget drew.
let sentinel: Character = "¤"

/// A grid pre-filled with ``sentinel``.
func sentinelGrid(width: Int, height: Int) -> CellGrid {
    CellGrid(width: width, height: height, fill: Cell(sentinel))
}

/// Expects `grid` to read as `lines`, as ratatui's `assert_buffer_eq!` does: on a mismatch it records every
/// differing cell with its position, the expected character and the actual cell with its style.
func expectLines(
    _ grid: CellGrid,
    _ lines: [String],
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(grid.height == lines.count, "height", sourceLocation: sourceLocation)
    var differences: [String] = []
    for (y, line) in lines.enumerated() where y < grid.height {
        let expected = Array(line)
        var x = 0
        var index = 0
        while x < grid.width {
            let cell = grid[x, y]
            if cell.width == 0 {
                x += 1
                continue
            }
            let want: Character? = index < expected.count ? expected[index] : nil
            if want != cell.character {
                differences.append(
                    "(x: \(x), y: \(y)) expected \(want.map { "'\($0)'" } ?? "end of line"), found '\(cell.character)' "
                        + "fg: \(cell.style.foreground) bg: \(cell.style.background) attributes: "
                        + "\(cell.style.attributes.rawValue)"
                )
            }
            index += 1
            x += 1
        }
        if index < expected.count {
            let rest = String(expected[index...])
            differences.append("(y: \(y)) expected \(expected.count - index) more characters: '\(rest)'")
        }
    }
    if !differences.isEmpty {
        let actual = grid.lines.map { "    \"\($0)\"," }.joined(separator: "\n")
        let shown = differences.prefix(20).joined(separator: "\n")
        let message = "buffer differs in \(differences.count) cells:\n\(shown)\nactual buffer:\n\(actual)"
        Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
    }
}

/// Expects every cell of `rect` whose character is in `characters` (all cells when empty) to have `style`.
func expectStyle(
    _ grid: CellGrid,
    _ rect: Rect,
    _ style: CellStyle,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    for y in rect.y..<rect.maxY {
        for x in rect.x..<rect.maxX where grid[x, y].style != style {
            Issue.record(
                "(x: \(x), y: \(y)) '\(grid[x, y].character)' has \(grid[x, y].style), expected \(style)",
                sourceLocation: sourceLocation
            )
            return
        }
    }
}

/// The first position of `text` in the grid's lines, as (x, y) in cells.
func find(_ text: String, in grid: CellGrid) -> (x: Int, y: Int)? {
    for (y, line) in grid.lines.enumerated() {
        if let range = line.range(of: text) {
            return (line.distance(from: line.startIndex, to: range.lowerBound), y)
        }
    }
    return nil
}
