/// A history graph of block characters, one column per point: `▁▂▃▄▅▆▇█` (` .:-=+*#` in ASCII).
///
/// With more than one row the bars stack, giving eight levels per row. Points without a value leave their
/// column empty, so a gap reads as "no data" rather than as zero; a zero value draws the lowest bar.
public enum Sparkline {
    static let unicodeLevels: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
    static let asciiLevels: [Character] = [".", ".", ":", "-", "=", "+", "*", "#"]

    /// Draws the last `rect.width` points, right-aligned (newest at the right edge).
    ///
    /// - Parameters:
    ///   - points: The values, oldest first.
    ///   - rect: Where to draw.
    ///   - minimum: The value of an empty column; `nil` for 0 or the smallest point if negative.
    ///   - maximum: The value of a full column; `nil` for the largest point.
    ///   - style: The bars' style.
    ///   - ascii: Whether to use ASCII characters.
    ///   - grid: The grid to draw into.
    public static func draw(
        _ points: [Double?],
        in rect: Rect,
        minimum: Double? = nil,
        maximum: Double? = nil,
        style: CellStyle,
        ascii: Bool,
        into grid: inout CellGrid
    ) {
        guard !rect.isEmpty, !points.isEmpty else { return }
        let shown = min(points.count, rect.width)
        let first = points.count - shown
        var low = minimum ?? 0
        var high = maximum ?? low
        for index in first..<points.count {
            guard let value = points[index], value.isFinite else { continue }
            if minimum == nil { low = min(low, value) }
            if maximum == nil { high = max(high, value) }
        }
        let span = high - low
        let levels = ascii ? self.asciiLevels : self.unicodeLevels
        let steps = 8 * rect.height
        let startX = rect.maxX - shown
        for offset in 0..<shown {
            guard let value = points[first + offset], value.isFinite else { continue }
            let fraction = span > 0 ? min(1, max(0, (value - low) / span)) : (value > low ? 1 : 0)
            // Level 1 is the lowest visible bar, so zero still shows.
            let level = 1 + Int((fraction * Double(steps - 1)).rounded())
            for row in 0..<rect.height {
                let inRow = level - 8 * row
                guard inRow > 0 else { break }
                let character = levels[min(8, inRow) - 1]
                grid.put(character, x: startX + offset, y: rect.maxY - 1 - row, style: style)
            }
        }
    }
}
