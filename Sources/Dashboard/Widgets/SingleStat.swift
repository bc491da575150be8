/// A panel's headline: a big value, a trend arrow (`▲▼•`, `^v=` in ASCII) and a note.
public enum SingleStat {
    /// Draws `value`, then the trend's arrow, then `note`, on one row.
    ///
    /// - Parameters:
    ///   - value: The figure as text.
    ///   - valueStyle: Its style (the value role, or a health role).
    ///   - trend: The change over the range (positive rising); `nil` draws no arrow.
    ///   - higherIsBetter: Whether a rise is good news (success rate) or bad (latency).
    ///   - note: Text after the arrow (a unit, a second figure).
    ///   - x: Column of the first character.
    ///   - y: Row.
    ///   - width: Columns available.
    ///   - theme: Styles for the arrow and the note.
    ///   - ascii: Whether to use ASCII arrows.
    ///   - grid: The grid to draw into.
    /// - Returns: Columns written.
    @discardableResult
    public static func draw(
        value: String,
        valueStyle: CellStyle,
        trend: Double?,
        higherIsBetter: Bool,
        note: String,
        x: Int,
        y: Int,
        width: Int,
        theme: Theme,
        ascii: Bool,
        into grid: inout CellGrid
    ) -> Int {
        var column = x
        let limit = x + width
        column += grid.write(value, x: column, y: y, style: valueStyle, maxWidth: limit - column)
        if let trend, column + 2 <= limit {
            let arrow: Character
            let role: ThemeRole
            if abs(trend) < 1e-9 {
                arrow = ascii ? "=" : "•"
                role = .trendFlat
            } else if trend > 0 {
                arrow = ascii ? "^" : "▲"
                role = higherIsBetter ? .trendGood : .trendBad
            } else {
                arrow = ascii ? "v" : "▼"
                role = higherIsBetter ? .trendBad : .trendGood
            }
            grid.put(arrow, x: column + 1, y: y, style: theme[role])
            column += 2
        }
        if !note.isEmpty, column + 2 <= limit {
            column += 1
            column += grid.write(note, x: column, y: y, style: theme[.muted], maxWidth: limit - column)
        }
        return column - x
    }
}
