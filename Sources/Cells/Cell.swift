/// One terminal cell: a grapheme (one Unicode scalar in practice) and its style.
///
/// A wide character (width 2) occupies its cell and the next; the next holds
/// ``Cell/continuation``, which the terminal backend skips.
public struct Cell: Sendable, Hashable {
    public var character: Character
    /// Display width: 1, or 2 for wide characters, 0 for a continuation cell.
    public var width: UInt8
    public var style: CellStyle

    public init(_ character: Character, width: UInt8 = 1, style: CellStyle = .plain) {
        self.character = character
        self.width = width
        self.style = style
    }

    public static let blank = Cell(" ")
    /// The right half of a wide character.
    public static let continuation = Cell(" ", width: 0)
}
