/// A dashboard as a dashboard file defines it: a name and its panels, in screen order (left to right, top to
/// bottom, three to a row).
public struct DashboardDefinition: Sendable, Hashable, Codable {
    /// The dashboard's name, e.g. `oauth_health`.
    public var name: String
    public var panels: [PanelDefinition]

    /// Creates a definition.
    public init(name: String, panels: [PanelDefinition]) {
        self.name = name
        self.panels = panels
    }
}
