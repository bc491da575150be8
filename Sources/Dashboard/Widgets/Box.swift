/// A bordered box with a title in its top border: `┌─ Title ─┐` (`+- Title -+` in ASCII).
public enum Box {
    /// Draws the border of `rect` and its title, and fills the inside with `fill`.
    ///
    /// - Parameters:
    ///   - rect: The box including its border (at least 2x2 to draw anything).
    ///   - title: Written into the top border, clipped to fit.
    ///   - border: The border's style.
    ///   - titleStyle: The title's style.
    ///   - fill: The inside's style, or `nil` to leave the inside as it is.
    ///   - ascii: Whether to use `+`, `-` and `|`.
    ///   - grid: The grid to draw into.
    public static func draw(
        _ rect: Rect,
        title: String,
        border: CellStyle,
        titleStyle: CellStyle,
        fill: CellStyle? = nil,
        ascii: Bool,
        into grid: inout CellGrid
    ) {
        guard rect.width >= 2, rect.height >= 2 else { return }
        let horizontal: Character = ascii ? "-" : "─"
        let vertical: Character = ascii ? "|" : "│"
        let right = rect.maxX - 1
        let bottom = rect.maxY - 1
        grid.put(ascii ? "+" : "┌", x: rect.x, y: rect.y, style: border)
        grid.put(ascii ? "+" : "┐", x: right, y: rect.y, style: border)
        grid.put(ascii ? "+" : "└", x: rect.x, y: bottom, style: border)
        grid.put(ascii ? "+" : "┘", x: right, y: bottom, style: border)
        for x in (rect.x + 1)..<right {
            grid.put(horizontal, x: x, y: rect.y, style: border)
            grid.put(horizontal, x: x, y: bottom, style: border)
        }
        for y in (rect.y + 1)..<bottom {
            grid.put(vertical, x: rect.x, y: y, style: border)
            grid.put(vertical, x: right, y: y, style: border)
        }
        if let fill { grid.fill(rect.inset(by: 1), with: Cell(" ", style: fill)) }
        if !title.isEmpty, rect.width > 4 {
            grid.write(" ", x: rect.x + 1, y: rect.y, style: titleStyle)
            let written = grid.write(title, x: rect.x + 2, y: rect.y, style: titleStyle, maxWidth: rect.width - 5)
            grid.write(" ", x: rect.x + 2 + written, y: rect.y, style: titleStyle)
        }
    }
}
