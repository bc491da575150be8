/// Where each part of the screen goes for a terminal size.
///
/// A header row, the panels three to a row (the seed's six in a 3x2 grid), the alerts list beside the event
/// log, and a footer row. Panels take about three fifths of the height between header and footer (at least 7
/// rows each while the lists keep 5) and the lists the rest (at least 5 rows), so a taller terminal shows more
/// events and taller graphs, and a wider one more history per graph.
///
/// A last row that is not full (the default dashboard's seventh panel, API calls) is a *strip*: its panels
/// share the whole width, and it is half as tall as a full row (at least 3 rows: one line inside its border),
/// so the seed's six panels keep their 7 rows at 80x24.
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
        let fullRows = panelCount / perRow
        let stripPanels = fullRows > 0 ? panelCount % perRow : 0
        let panelHeight: Int
        var stripHeight = 0
        if stripPanels > 0 {
            // The panels' three fifths in half rows: two per full row, one for the strip.
            let minimumStrip = 3
            panelHeight = min(max(7, body * 3 / 5 * 2 / (2 * fullRows + 1)), (body - 5 - minimumStrip) / fullRows)
            stripHeight = max(minimumStrip, min(panelHeight / 2, body - 5 - fullRows * panelHeight))
        } else {
            let panelRows = max(1, (panelCount + perRow - 1) / perRow)
            panelHeight = min(max(7, body * 3 / 5 / panelRows), (body - 5) / panelRows)
        }
        var panels: [Rect] = []
        let rows = max(1, fullRows) + (stripPanels > 0 ? 1 : 0)
        for row in 0..<rows {
            let isStrip = stripPanels > 0 && row == rows - 1
            let columns = isStrip ? stripPanels : perRow
            var x = 0
            for column in 0..<columns where isStrip || row * perRow + column < max(panelCount, perRow) {
                let columnWidth = width / columns + (column < width % columns ? 1 : 0)
                panels.append(
                    Rect(
                        x: x, y: 1 + row * panelHeight, width: columnWidth,
                        height: isStrip ? stripHeight : panelHeight
                    )
                )
                x += columnWidth
            }
        }
        self.panels = panels
        let listsTop = (panels.last?.maxY ?? 1)
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
