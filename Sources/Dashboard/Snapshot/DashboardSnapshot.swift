/// Everything one frame shows, captured at one instant: the dashboard renders only this.
///
/// A value (`Codable`), built by the program that owns the data (the runtime, from the token manager and
/// the panels' queries), so that it can also come from another process.
public struct DashboardSnapshot: Sendable, Hashable, Codable {
    /// The capture time (Unix nanoseconds).
    public var now: Int64
    /// How long the program has been running.
    public var uptime: Duration
    /// The wall clock's offset from UTC in seconds, for the header clock (the program reads the time zone).
    public var utcOffsetSeconds: Int
    public var providers: [ProviderRow]
    /// The range the panel data covers.
    public var range: TimeRange
    /// The panels, in screen order, with their series over ``range``.
    public var panels: [Panel]
    /// Pending and firing alerts, firing first.
    public var alerts: [AlertRow]
    /// Recent events, oldest first.
    public var events: [EventRow]
    /// How tokens are refreshed, for the header (e.g. `proactive`, `demo`, `attached to daemon`).
    public var refreshMode: String

    /// Creates a snapshot.
    public init(
        now: Int64,
        uptime: Duration = .zero,
        utcOffsetSeconds: Int = 0,
        providers: [ProviderRow] = [],
        range: TimeRange = .fiveMinutes,
        panels: [Panel] = [],
        alerts: [AlertRow] = [],
        events: [EventRow] = [],
        refreshMode: String = "proactive"
    ) {
        self.now = now
        self.uptime = uptime
        self.utcOffsetSeconds = utcOffsetSeconds
        self.providers = providers
        self.range = range
        self.panels = panels
        self.alerts = alerts
        self.events = events
        self.refreshMode = refreshMode
    }
}
