import Dashboard

/// Where a dashboard gets what it shows and where its keys act: the token manager in this process, a
/// running daemon over its token socket, or a Prometheus server that scrapes a fleet of daemons.
///
/// The panels are queries (``panelSource`` answers them); everything else of a frame is ``state()``.
public protocol DashboardFeed: Sendable {
    /// The header's refresh-mode text, e.g. `proactive`, `attached to /run/user/1000/oauthtop/oauthtop.sock`.
    var refreshMode: String { get }

    /// What answers the panels' PromQL queries.
    var panelSource: any PanelQuerySource { get }

    /// Providers, consumers, alerts and recent events at this instant, as a snapshot without panels (the
    /// dashboard evaluates those from ``panelSource`` for the range and width on screen).
    ///
    /// - Parameter now: The capture time (Unix nanoseconds).
    /// - Returns: The snapshot, and whether events arrived since the last call (so the frame is drawn at once).
    /// - Throws: When the source cannot be reached; the dashboard shows the error and keeps trying.
    func state(now: Int64) async throws -> (snapshot: DashboardSnapshot, changed: Bool)

    /// Runs a manual refresh of `provider` (every provider when `nil`), as the `r` and `R` keys ask. Its
    /// outcome reaches the screen through ``state(now:)`` (events, provider rows); a feed that cannot refresh
    /// (Prometheus) reports that as an event row.
    func refresh(_ provider: String?) async
}
