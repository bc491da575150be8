/// A panel ready to draw: its definition and the series its queries gave for the snapshot's range.
public struct Panel: Sendable, Hashable, Codable {
    public var definition: PanelDefinition
    /// The series of every query, in query order; within a query, in the order of their labels.
    public var series: [DashboardSeries]
    /// Why a query of the panel failed (the first failure, one line), `nil` when they all ran: the panel
    /// shows it in place of its headline, so a broken query does not read as "no data yet".
    public var error: String?

    /// Creates a panel.
    public init(definition: PanelDefinition, series: [DashboardSeries] = [], error: String? = nil) {
        self.definition = definition
        self.series = series
        self.error = error
    }
}
