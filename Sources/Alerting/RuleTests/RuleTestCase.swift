/// One test group of a rule unit-test file: input series and what the rules must produce from them.
public struct RuleTestCase: Sendable, Hashable {
    /// The group's `name`, shown in failures.
    public var name: String?
    /// Milliseconds between the samples of each input series; `nil` means the file's evaluation interval.
    public var interval: Int64?
    /// The series loaded before evaluation.
    public var inputSeries: [InputSeries]
    /// Alerts expected to be firing at given times.
    public var alertRuleTests: [AlertRuleTest]
    /// Expressions and the samples they must return at given times.
    public var promqlExprTests: [PromQLExprTest]
    /// Labels available to templates as `$externalLabels`.
    public var externalLabels: [String: String]
    /// The URL available to templates as `$externalURL`, if given.
    public var externalURL: String?
    /// Line of the test group in the file (1-based), for messages.
    public var line: Int

    public init(
        name: String? = nil,
        interval: Int64? = nil,
        inputSeries: [InputSeries] = [],
        alertRuleTests: [AlertRuleTest] = [],
        promqlExprTests: [PromQLExprTest] = [],
        externalLabels: [String: String] = [:],
        externalURL: String? = nil,
        line: Int = 0
    ) {
        self.name = name
        self.interval = interval
        self.inputSeries = inputSeries
        self.alertRuleTests = alertRuleTests
        self.promqlExprTests = promqlExprTests
        self.externalLabels = externalLabels
        self.externalURL = externalURL
        self.line = line
    }

    /// The interval between input samples, falling back to the file's evaluation interval.
    public func sampleInterval(in file: RuleTestFile) -> Int64 {
        self.interval ?? file.evaluationInterval
    }
}
