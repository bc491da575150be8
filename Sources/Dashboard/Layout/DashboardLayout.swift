/// Where each part of the screen goes for a terminal size.
///
/// A header row, the panels three to a row (the seed's six in a 3x2 grid), the alerts list beside the event
/// log, and a footer row. Panels take about three fifths of the height between header and footer (at least 7
/// rows each while the lists keep 5) and the lists the rest (at least 5 rows), so a taller terminal shows more
/// events and taller graphs, and a wider one more history per graph.
public struct DashboardLayout: Sendable, Hashable {
    public let header: Rect
    /// The panels, in the dashboard's order.
    public let panels: [Rect]
    public let alerts: Rect
    public let events: Rect
    public let footer: Rect

    /// How many panels share a row.
    public static let panelsPerRow = 3

    /// The layout for `size` with `panelCount` panels, or `nil` below ``TerminalSize/minimum``.
    public init?(size: TerminalSize, panelCount: Int = 6) {
        let width = size.columns
        let height = size.rows
        guard width >= TerminalSize.minimum.columns, height >= TerminalSize.minimum.rows else { return nil }
        self.header = Rect(x: 0, y: 0, width: width, height: 1)
        self.footer = Rect(x: 0, y: height - 1, width: width, height: 1)
        let body = height - 2
        let perRow = Self.panelsPerRow
        let panelRows = max(1, (panelCount + perRow - 1) / perRow)
        let panelHeight = min(max(7, body * 3 / 5 / panelRows), (body - 5) / panelRows)
        var panels: [Rect] = []
        for row in 0..<panelRows {
            var x = 0
            for column in 0..<perRow where row * perRow + column < max(panelCount, perRow) {
                let columnWidth = width / perRow + (column < width % perRow ? 1 : 0)
                panels.append(Rect(x: x, y: 1 + row * panelHeight, width: columnWidth, height: panelHeight))
                x += columnWidth
            }
        }
        self.panels = panels
        let listsTop = 1 + panelRows * panelHeight
        let listsHeight = height - 1 - listsTop
        let alertsWidth = width * 2 / 5
        self.alerts = Rect(x: 0, y: listsTop, width: alertsWidth, height: listsHeight)
        self.events = Rect(x: alertsWidth, y: listsTop, width: width - alertsWidth, height: listsHeight)
    }

    /// The number of history points a panel's graph shows at this size: how many steps the panels' range
    /// queries ask for.
    public var graphPoints: Int {
        self.panels.map { $0.width - 2 }.min() ?? 0
    }
}
