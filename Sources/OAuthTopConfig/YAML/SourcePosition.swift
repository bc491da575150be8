import Yams

/// A 1-based line and column in a file; columns count Unicode scalars, as libyaml does.
public struct SourcePosition: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    /// The position of a Yams mark.
    public init(_ mark: Mark) {
        self.init(line: mark.line, column: mark.column)
    }

    /// The start of `node`, or `nil` for a node built in code rather than parsed.
    public init?(of node: Node) {
        guard let mark = node.mark else { return nil }
        self.init(mark)
    }

    public static func < (lhs: SourcePosition, rhs: SourcePosition) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }

    public var description: String { "\(self.line):\(self.column)" }
}
