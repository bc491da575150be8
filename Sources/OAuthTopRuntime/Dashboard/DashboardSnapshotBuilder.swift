import Dashboard
import TokenManager

/// Builds the ``DashboardSnapshot`` a frame shows: rows from the token manager's state, the event log and
/// the alerts, and the panels from their queries.
///
/// The dashboard only draws the value; this is where the program's types become the dashboard's.
public struct DashboardSnapshotBuilder: Sendable {
    /// The panels' queries and their evaluation.
    public let panels: PanelQueries
    /// How many events the snapshot keeps (the newest).
    public var maxEvents: Int

    /// Creates a builder.
    public init(panels: PanelQueries, maxEvents: Int = 200) {
        self.panels = panels
        self.maxEvents = maxEvents
    }

    /// A snapshot.
    ///
    /// - Parameters:
    ///   - providers: The manager's provider snapshots.
    ///   - events: Recent events, oldest first.
    ///   - alerts: Pending and firing alerts.
    ///   - range: The time range the panels show.
    ///   - now: The capture time (Unix nanoseconds, the manager's clock).
    ///   - uptime: How long the program has been running.
    ///   - size: The terminal's size: the panels' graphs get one step per column.
    ///   - refreshMode: The header's refresh mode text.
    ///   - utcOffsetSeconds: The wall clock's offset from UTC.
    public func snapshot(
        providers: [ProviderSnapshot],
        events: [RuntimeEvent],
        alerts: [AlertRow] = [],
        range: TimeRange,
        now: Int64,
        uptime: Duration,
        size: TerminalSize,
        refreshMode: String = "proactive",
        utcOffsetSeconds: Int = 0
    ) async -> DashboardSnapshot {
        let points = DashboardRenderer.graphPoints(for: size, panelCount: self.panels.dashboard.panels.count)
        let panels = await self.panels.panels(range: range, now: now / 1_000_000, points: points)
        return DashboardSnapshot(
            now: now,
            uptime: uptime,
            utcOffsetSeconds: utcOffsetSeconds,
            providers: providers.map(ProviderRow.init),
            range: range,
            panels: panels,
            alerts: alerts,
            events: events.suffix(self.maxEvents).map(EventRow.init),
            refreshMode: refreshMode
        )
    }
}
