/// A horizontal run of cells on one row that must be drawn again.
public struct CellRun: Sendable, Hashable, CustomStringConvertible {
    /// The row, from 0 at the top.
    public var row: Int
    /// The columns of the run, from 0 at the left.
    public var columns: Range<Int>

    public init(row: Int, columns: Range<Int>) {
        self.row = row
        self.columns = columns
    }

    public var description: String { "row \(self.row) columns \(self.columns.lowerBound)..<\(self.columns.upperBound)" }
}
