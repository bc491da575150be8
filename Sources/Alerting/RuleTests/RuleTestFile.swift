/// A rule unit-test file in the format of `promtool test rules`, parsed into typed values.
///
/// The file names the rule files under test and lists test groups, each with its own input series and
/// the alerts and expression results expected at given times. Times are milliseconds from the start of
/// the test (0 is the first sample of every input series).
public struct RuleTestFile: Sendable, Hashable {
    /// Default evaluation interval: one minute, as promtool.
    public static let defaultEvaluationInterval: Int64 = 60_000

    /// The rule files under test as written (paths relative to the test file's directory; globs allowed).
    public var ruleFiles: [String]
    /// How often the rules are evaluated, in milliseconds.
    public var evaluationInterval: Int64
    /// Rule groups to evaluate first, in this order, at each evaluation time; others follow.
    public var groupEvalOrder: [String]
    /// The test groups.
    public var tests: [RuleTestCase]
    /// `fuzzy_compare` (Prometheus 3): `false` compares expected values exactly; absent or `true` allows a
    /// relative difference of 1e-9.
    public var fuzzyCompare: Bool?

    public init(
        ruleFiles: [String],
        evaluationInterval: Int64 = RuleTestFile.defaultEvaluationInterval,
        groupEvalOrder: [String] = [],
        tests: [RuleTestCase],
        fuzzyCompare: Bool? = nil
    ) {
        self.fuzzyCompare = fuzzyCompare
        self.ruleFiles = ruleFiles
        self.evaluationInterval = evaluationInterval
        self.groupEvalOrder = groupEvalOrder
        self.tests = tests
    }
}
