/// One figure of a panel: its value over the selected range and its history, one point per graph column.
public struct DashboardSeries: Sendable, Hashable, Codable {
    /// What the figure is about: its query's legend, e.g. a provider, a fallback method, `p99`, or `all`.
    public var label: String
    /// The figure over the whole range (or now, for gauges); `nil` when there is not enough data.
    public var value: Double?
    /// The history, oldest first, one point per time bucket; `nil` where a bucket has no value.
    public var points: [Double?]

    /// Creates a series.
    public init(label: String, value: Double?, points: [Double?] = []) {
        self.label = label
        self.value = value
        self.points = points
    }

    /// The change from the first to the last point with a value: positive when rising; `nil` with fewer than
    /// two points.
    public var trend: Double? {
        guard let first = self.points.firstIndex(where: { $0 != nil }),
            let last = self.points.lastIndex(where: { $0 != nil }), last > first,
            let start = self.points[first], let end = self.points[last]
        else { return nil }
        return end - start
    }
}
