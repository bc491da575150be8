/// One label of a series: a name and a value.
///
/// Ordered by name, then value, so sorted label lists are stable across calls and processes.
public struct LabelPair: Hashable, Sendable, Comparable {
    /// The label name, e.g. `provider`.
    public var name: String
    /// The label value, e.g. `github`.
    public var value: String

    /// Creates a label.
    ///
    /// - Parameters:
    ///   - name: The label name.
    ///   - value: The label value.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    public static func < (lhs: LabelPair, rhs: LabelPair) -> Bool {
        (lhs.name, lhs.value) < (rhs.name, rhs.value)
    }
}
