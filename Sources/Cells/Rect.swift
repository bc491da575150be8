/// A rectangle of cells: column `x`, row `y` of its top left corner, and its size.
public struct Rect: Sendable, Hashable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    /// Creates a rectangle; negative sizes become 0.
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }

    /// One past the rightmost column.
    public var maxX: Int { self.x + self.width }
    /// One past the bottom row.
    public var maxY: Int { self.y + self.height }
    /// Whether the rectangle holds no cell.
    public var isEmpty: Bool { self.width == 0 || self.height == 0 }

    /// The cells both rectangles hold.
    public func intersection(_ other: Rect) -> Rect {
        let left = max(self.x, other.x)
        let top = max(self.y, other.y)
        let right = min(self.maxX, other.maxX)
        let bottom = min(self.maxY, other.maxY)
        return Rect(x: left, y: top, width: right - left, height: bottom - top)
    }

    /// The rectangle shrunk by `amount` cells on every side (a border's inside).
    public func inset(by amount: Int) -> Rect {
        Rect(x: self.x + amount, y: self.y + amount, width: self.width - 2 * amount, height: self.height - 2 * amount)
    }

    /// The first `rows` rows.
    public func top(_ rows: Int) -> Rect {
        Rect(x: self.x, y: self.y, width: self.width, height: min(rows, self.height))
    }

    /// The last `rows` rows.
    public func bottom(_ rows: Int) -> Rect {
        let rows = min(max(0, rows), self.height)
        return Rect(x: self.x, y: self.maxY - rows, width: self.width, height: rows)
    }

    /// One row of the rectangle, `index` counted from its top.
    public func row(_ index: Int) -> Rect {
        Rect(x: self.x, y: self.y + index, width: self.width, height: index < self.height ? 1 : 0)
    }
}
