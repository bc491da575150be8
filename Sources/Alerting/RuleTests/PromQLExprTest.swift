/// An expression evaluated at one time and the samples it must return.
public struct PromQLExprTest: Sendable, Hashable {
    /// The expression text.
    public var expr: String
    /// Milliseconds from the start of the test.
    public var evalTime: Int64
    /// The samples expected, in any order; empty asserts an empty result.
    public var expectedSamples: [ExpectedSample]
    /// Line of the test in the file (1-based).
    public var line: Int
    /// Line of the first character of the expression text, so parse errors can point into it.
    public var exprLine: Int
    /// Column of the first character of the expression text.
    public var exprColumn: Int

    public init(
        expr: String,
        evalTime: Int64,
        expectedSamples: [ExpectedSample],
        line: Int = 0,
        exprLine: Int = 0,
        exprColumn: Int = 0
    ) {
        self.expr = expr
        self.evalTime = evalTime
        self.expectedSamples = expectedSamples
        self.line = line
        self.exprLine = exprLine
        self.exprColumn = exprColumn
    }
}
