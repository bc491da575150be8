/// A horizontal bar for a fraction: `████▌░░░` (`####----` in ASCII).
public enum Gauge {
    static let partials: [Character] = ["▏", "▎", "▍", "▌", "▋", "▊", "▉"]

    /// Draws a bar filling `fraction` of `rect`'s first row.
    ///
    /// - Parameters:
    ///   - fraction: How full, clamped to `0...1`; `nil` draws an empty bar.
    ///   - rect: Where to draw (its first row).
    ///   - filled: The filled part's style.
    ///   - empty: The empty part's style.
    ///   - ascii: Whether to use `#` and `-`.
    ///   - grid: The grid to draw into.
    public static func draw(
        fraction: Double?,
        in rect: Rect,
        filled: CellStyle,
        empty: CellStyle,
        ascii: Bool,
        into grid: inout CellGrid
    ) {
        guard !rect.isEmpty else { return }
        let value = fraction.map { $0.isFinite ? min(1, max(0, $0)) : 0 } ?? 0
        let eighths = Int((value * Double(rect.width * 8)).rounded())
        let full = eighths / 8
        let partial = ascii ? 0 : eighths % 8
        for offset in 0..<rect.width {
            let x = rect.x + offset
            if offset < full {
                grid.put(ascii ? "#" : "█", x: x, y: rect.y, style: filled)
            } else if offset == full, partial > 0 {
                grid.put(self.partials[partial - 1], x: x, y: rect.y, style: filled)
            } else {
                grid.put(ascii ? "-" : "░", x: x, y: rect.y, style: empty)
            }
        }
    }
}
