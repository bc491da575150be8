import Testing

@testable import Dashboard

@Suite("Cell grid")
struct CellGridTests {
    @Test("writes clip at the edge and at maxWidth; wide characters take two cells")
    func writes() {
        var grid = CellGrid(width: 6, height: 2)
        #expect(grid.write("abcdefgh", x: 0, y: 0) == 6)
        #expect(grid.write("界x", x: 1, y: 1, maxWidth: 3) == 3)
        #expect(grid.lines == ["abcdef", " 界x  "])
        #expect(grid[2, 1].width == 0)
    }
}
