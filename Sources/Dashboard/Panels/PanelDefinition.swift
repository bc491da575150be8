/// A panel as a dashboard file defines it: its name, title, how it is drawn, its unit and its queries.
public struct PanelDefinition: Sendable, Hashable, Codable {
    /// The panel's name in the dashboard file, e.g. `token_refresh_success_rate`.
    public var name: String
    /// The title on the panel's border.
    public var title: String
    /// A shorter title for narrow panels (the title when not given).
    public var shortTitle: String
    public var style: PanelStyle
    /// The unit of the figures: `percent` (a share 0...1), `seconds`, `per_second`, `none`, or a plural noun
    /// for counts (`uses`: "1 use", "3 uses").
    public var unit: String
    /// The queries, whose series the panel draws in this order.
    public var queries: [PanelQuery]

    /// Creates a definition.
    public init(
        name: String,
        title: String,
        shortTitle: String? = nil,
        style: PanelStyle,
        unit: String = "none",
        queries: [PanelQuery] = []
    ) {
        self.name = name
        self.title = title
        self.shortTitle = shortTitle ?? title
        self.style = style
        self.unit = unit
        self.queries = queries
    }
}
