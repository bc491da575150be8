/// Rows of styled cells in fixed-width columns, with an optional header row.
public enum Table {
    /// A column: its heading, width (the last column takes what is left when `0`) and alignment.
    public struct Column: Sendable, Hashable {
        public var title: String
        public var width: Int
        public var alignRight: Bool

        /// Creates a column.
        public init(_ title: String, width: Int, alignRight: Bool = false) {
            self.title = title
            self.width = width
            self.alignRight = alignRight
        }
    }

    /// One cell's text and role.
    public struct Entry: Sendable, Hashable {
        public var text: String
        public var role: ThemeRole

        /// Creates an entry.
        public init(_ text: String, _ role: ThemeRole = .text) {
            self.text = text
            self.role = role
        }
    }

    /// Draws `rows` (as many as fit) under an optional header, one space between columns.
    ///
    /// - Parameters:
    ///   - columns: The columns.
    ///   - rows: One entry per column per row.
    ///   - rect: Where to draw.
    ///   - header: Whether to draw the column titles first.
    ///   - selectedRow: A row drawn in the selected style.
    ///   - theme: The styles.
    ///   - grid: The grid to draw into.
    public static func draw(
        columns: [Column],
        rows: [[Entry]],
        in rect: Rect,
        header: Bool,
        selectedRow: Int? = nil,
        theme: Theme,
        into grid: inout CellGrid
    ) {
        var y = rect.y
        if header, y < rect.maxY {
            let titles = columns.map { Entry($0.title, .tableHeader) }
            self.drawRow(titles, columns: columns, y: y, rect: rect, theme: theme, into: &grid)
            y += 1
        }
        for (index, row) in rows.enumerated() where y < rect.maxY {
            if index == selectedRow {
                grid.fill(rect.row(y - rect.y), with: Cell(" ", style: theme[.selected]))
            }
            let selected = index == selectedRow
            self.drawRow(row, columns: columns, y: y, rect: rect, theme: theme, selected: selected, into: &grid)
            y += 1
        }
    }

    private static func drawRow(
        _ entries: [Entry],
        columns: [Column],
        y: Int,
        rect: Rect,
        theme: Theme,
        selected: Bool = false,
        into grid: inout CellGrid
    ) {
        var x = rect.x
        for (index, column) in columns.enumerated() where x < rect.maxX {
            let width = column.width > 0 ? min(column.width, rect.maxX - x) : rect.maxX - x
            if index < entries.count {
                let entry = entries[index]
                var style = theme[entry.role]
                if selected { style = theme[.selected] }
                var start = x
                if column.alignRight {
                    start = x + max(0, width - entry.text.count)
                }
                grid.write(entry.text, x: start, y: y, style: style, maxWidth: x + width - start)
            }
            x += width + 1
        }
    }
}
