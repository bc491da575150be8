/// A rectangle of cells, addressed by column `x` and row `y` from the top left.
public struct CellGrid: Sendable, Hashable {
    public private(set) var width: Int
    public private(set) var height: Int
    public private(set) var cells: [Cell]

    /// A grid filled with `fill`.
    public init(width: Int, height: Int, fill: Cell = .blank) {
        self.width = max(0, width)
        self.height = max(0, height)
        self.cells = Array(repeating: fill, count: self.width * self.height)
    }

    /// The cell at (`x`, `y`); out of bounds reads a blank.
    public subscript(x: Int, y: Int) -> Cell {
        get {
            guard x >= 0, y >= 0, x < self.width, y < self.height else { return .blank }
            return self.cells[y * self.width + x]
        }
        set {
            guard x >= 0, y >= 0, x < self.width, y < self.height else { return }
            self.cells[y * self.width + x] = newValue
        }
    }

    /// Writes `text` from (`x`, `y`) on one row, clipped at `maxWidth` columns and the grid's edge.
    ///
    /// - Returns: The number of columns written.
    @discardableResult
    public mutating func write(
        _ text: String,
        x: Int,
        y: Int,
        style: CellStyle = .plain,
        maxWidth: Int = .max
    ) -> Int {
        guard y >= 0, y < self.height else { return 0 }
        var column = x
        let limit = min(self.width, x.addingReportingOverflow(maxWidth).overflow ? self.width : x + maxWidth)
        for character in text {
            let width = Self.displayWidth(of: character)
            guard width > 0 else { continue }
            if column + width > limit { break }
            if column >= 0 {
                self[column, y] = Cell(character, width: UInt8(width), style: style)
                if width == 2 { self[column + 1, y] = Cell(" ", width: 0, style: style) }
            }
            column += width
        }
        return column - x
    }

    /// Empties the grid and gives it a new size, keeping its storage when the size is unchanged.
    ///
    /// The renderer calls this at the start of every frame so a frame of the same size allocates nothing.
    public mutating func reset(width: Int, height: Int, fill: Cell = .blank) {
        let width = max(0, width)
        let height = max(0, height)
        if width == self.width, height == self.height {
            for index in self.cells.indices { self.cells[index] = fill }
            return
        }
        self.width = width
        self.height = height
        self.cells = Array(repeating: fill, count: width * height)
    }

    /// Fills a rectangle (clipped to the grid) with `cell`.
    public mutating func fill(_ rect: Rect, with cell: Cell) {
        let clipped = rect.intersection(Rect(x: 0, y: 0, width: self.width, height: self.height))
        guard !clipped.isEmpty else { return }
        for y in clipped.y..<clipped.maxY {
            let row = y * self.width
            for x in clipped.x..<clipped.maxX { self.cells[row + x] = cell }
        }
    }

    /// Sets one cell to a narrow character (width 1), if (`x`, `y`) is inside the grid.
    public mutating func put(_ character: Character, x: Int, y: Int, style: CellStyle) {
        guard x >= 0, y >= 0, x < self.width, y < self.height else { return }
        self.cells[y * self.width + x] = Cell(character, width: 1, style: style)
    }

    /// Changes the style of the cells of a rectangle, keeping their characters.
    public mutating func restyle(_ rect: Rect, style: CellStyle) {
        let clipped = rect.intersection(Rect(x: 0, y: 0, width: self.width, height: self.height))
        guard !clipped.isEmpty else { return }
        for y in clipped.y..<clipped.maxY {
            let row = y * self.width
            for x in clipped.x..<clipped.maxX { self.cells[row + x].style = style }
        }
    }

    /// The grid's text, one string per row (continuation cells omitted).
    public var lines: [String] {
        (0..<self.height).map { y in
            var line = ""
            for x in 0..<self.width where self[x, y].width != 0 { line.append(self[x, y].character) }
            return line
        }
    }

    /// Display width of a character in a terminal: 0 for controls and combining marks, 2 for
    /// East Asian wide and emoji presentation, else 1.
    public static func displayWidth(of character: Character) -> Int {
        guard let scalar = character.unicodeScalars.first else { return 0 }
        let value = scalar.value
        if value < 0x20 || (0x7F..<0xA0).contains(value) { return 0 }
        let category = scalar.properties.generalCategory
        if category == .nonspacingMark || category == .enclosingMark {
            return 0
        }
        switch value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
            0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
            0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD:
            return 2
        default:
            return 1
        }
    }
}
