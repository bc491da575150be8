/// The alerts expected to be firing under one alert name at one time.
///
/// Pending alerts are not listed: an empty ``expectedAlerts`` asserts that no alert of that name fires.
public struct AlertRuleTest: Sendable, Hashable {
    /// Milliseconds from the start of the test; the check uses the last evaluation at or before it.
    public var evalTime: Int64
    /// The alert name (`alertname` label) to check.
    public var alertName: String
    /// The firing alerts, in any order.
    public var expectedAlerts: [ExpectedAlert]
    /// Line of the test in the file (1-based).
    public var line: Int

    public init(evalTime: Int64, alertName: String, expectedAlerts: [ExpectedAlert], line: Int = 0) {
        self.evalTime = evalTime
        self.alertName = alertName
        self.expectedAlerts = expectedAlerts
        self.line = line
    }
}
