import Cells
import Terminal
import Testing

@Suite struct FrameDiffTests {
    static func grid(_ lines: [String]) -> CellGrid {
        let width = lines.map { $0.reduce(0) { $0 + CellGrid.displayWidth(of: $1) } }.max() ?? 0
        var grid = CellGrid(width: width, height: lines.count)
        for (row, line) in lines.enumerated() { grid.write(line, x: 0, y: row) }
        return grid
    }

    @Test func firstFrameIsDrawnInFull() {
        let current = Self.grid(["abc", "def"])
        #expect(
            FrameDiff.changedRuns(from: nil, to: current) == [
                CellRun(row: 0, columns: 0..<3), CellRun(row: 1, columns: 0..<3),
            ]
        )
    }

    @Test func aNewSizeIsDrawnInFull() {
        let previous = Self.grid(["abc", "def"])
        let current = Self.grid(["abcd", "defg"])
        #expect(FrameDiff.changedRuns(from: previous, to: current).count == 2)
        #expect(FrameDiff.changedRuns(from: previous, to: current).allSatisfy { $0.columns == 0..<4 })
    }

    @Test func anUnchangedFrameHasNoRuns() {
        let frame = Self.grid(["hello", "world"])
        #expect(FrameDiff.changedRuns(from: frame, to: frame).isEmpty)
        #expect(FrameDiff.changedRuns(from: frame, to: Self.grid(["hello", "world"])).isEmpty)
    }

    @Test func changedCellsBecomeRunsPerRow() {
        let previous = Self.grid(["abcdefgh", "12345678", "........"])
        let current = Self.grid(["aXXdeYgh", "12345678", ".......Z"])
        #expect(
            FrameDiff.changedRuns(from: previous, to: current) == [
                CellRun(row: 0, columns: 1..<3),
                CellRun(row: 0, columns: 5..<6),
                CellRun(row: 2, columns: 7..<8),
            ]
        )
    }

    @Test func aStyleChangeIsAChange() {
        let previous = Self.grid(["abc"])
        var current = previous
        current[1, 0] = Cell("b", style: CellStyle(foreground: .ansi(1)))
        #expect(FrameDiff.changedRuns(from: previous, to: current) == [CellRun(row: 0, columns: 1..<2)])
    }

    @Test func aRunOnTheRightHalfOfAWideCharacterStartsAtItsLeftHalf() {
        let previous = Self.grid(["a幅b"])
        var current = previous
        // Only the continuation cell differs (its style), yet the whole character must be redrawn.
        current[2, 0] = Cell(" ", width: 0, style: CellStyle(attributes: .bold))
        #expect(FrameDiff.changedRuns(from: previous, to: current) == [CellRun(row: 0, columns: 1..<3)])
    }

    @Test func aRunEndingOnAWideCharacterIncludesItsRightHalf() {
        let previous = Self.grid(["ab  c"])
        let current = Self.grid(["a幅 c"])
        // Cells 1 and 2 change ('b' -> '幅', ' ' -> continuation).
        #expect(FrameDiff.changedRuns(from: previous, to: current) == [CellRun(row: 0, columns: 1..<3)])

        var styled = previous
        styled[1, 0] = Cell("幅", width: 2)
        styled[2, 0] = Cell(" ")  // a malformed grid: the wide character is still drawn whole
        #expect(FrameDiff.changedRuns(from: previous, to: styled) == [CellRun(row: 0, columns: 1..<3)])
    }

    @Test func runsThatTouchAfterWideningAreMerged() {
        let previous = Self.grid(["x幅y幅z"])
        var current = previous
        current[0, 0] = Cell("X")
        current[2, 0] = Cell(" ", width: 0, style: CellStyle(attributes: .bold))
        #expect(FrameDiff.changedRuns(from: previous, to: current) == [CellRun(row: 0, columns: 0..<3)])
    }

    @Test func emptyGridHasNoRuns() {
        #expect(FrameDiff.changedRuns(from: nil, to: CellGrid(width: 0, height: 0)).isEmpty)
    }
}
