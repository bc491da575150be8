/// A panel ready to draw: its definition and the series its queries gave for the snapshot's range.
public struct Panel: Sendable, Hashable, Codable {
    public var definition: PanelDefinition
    /// The series of every query, in query order; within a query, in the order of their labels.
    public var series: [DashboardSeries]

    /// Creates a panel.
    public init(definition: PanelDefinition, series: [DashboardSeries] = []) {
        self.definition = definition
        self.series = series
    }
}
