import Dashboard
import TokenManager

/// Builds the part of a ``DashboardSnapshot`` that is not panels: rows from the token manager's state, the
/// event log and the alerts.
///
/// The dashboard only draws the value; this is where the program's types become the dashboard's. The panels
/// are queries, evaluated by ``PanelQueries`` wherever the dashboard runs.
public struct DashboardSnapshotBuilder: Sendable {
    /// How many events the snapshot keeps (the newest).
    public var maxEvents: Int

    /// Creates a builder.
    public init(maxEvents: Int = 200) {
        self.maxEvents = maxEvents
    }

    /// A snapshot without panels.
    ///
    /// - Parameters:
    ///   - providers: The manager's provider snapshots.
    ///   - events: Recent events, oldest first.
    ///   - alerts: Pending and firing alerts.
    ///   - now: The capture time (Unix nanoseconds, the manager's clock).
    ///   - uptime: How long the program has been running.
    ///   - refreshMode: The header's refresh mode text.
    ///   - utcOffsetSeconds: The wall clock's offset from UTC.
    public func state(
        providers: [ProviderSnapshot],
        events: [RuntimeEvent],
        alerts: [AlertRow] = [],
        now: Int64,
        uptime: Duration,
        refreshMode: String = "proactive",
        utcOffsetSeconds: Int = 0
    ) -> DashboardSnapshot {
        DashboardSnapshot(
            now: now,
            uptime: uptime,
            utcOffsetSeconds: utcOffsetSeconds,
            providers: providers.map(ProviderRow.init),
            alerts: alerts,
            events: events.suffix(self.maxEvents).map(EventRow.init),
            refreshMode: refreshMode
        )
    }
}
