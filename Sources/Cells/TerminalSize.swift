/// A terminal's size in cells.
public struct TerminalSize: Sendable, Hashable, CustomStringConvertible {
    public var columns: Int
    public var rows: Int

    /// Creates a size.
    public init(columns: Int, rows: Int) {
        self.columns = columns
        self.rows = rows
    }

    /// The smallest size the dashboard draws on: below it, it says so instead.
    public static let minimum = TerminalSize(columns: 80, rows: 24)

    public var description: String { "\(self.columns)x\(self.rows)" }
}
