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
    /// Who holds the providers' tokens outside the manager: exec'd tasks, sinks, socket clients. Decodes as
    /// empty when absent (a snapshot from an older oauthtop).
    public var consumers: [ConsumerRow]

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
        refreshMode: String = "proactive",
        consumers: [ConsumerRow] = []
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
        self.consumers = consumers
    }

    enum CodingKeys: String, CodingKey {
        case now, uptime, utcOffsetSeconds, providers, range, panels, alerts, events, refreshMode, consumers
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.now = try container.decode(Int64.self, forKey: .now)
        self.uptime = try container.decode(Duration.self, forKey: .uptime)
        self.utcOffsetSeconds = try container.decode(Int.self, forKey: .utcOffsetSeconds)
        self.providers = try container.decode([ProviderRow].self, forKey: .providers)
        self.range = try container.decode(TimeRange.self, forKey: .range)
        self.panels = try container.decode([Panel].self, forKey: .panels)
        self.alerts = try container.decode([AlertRow].self, forKey: .alerts)
        self.events = try container.decode([EventRow].self, forKey: .events)
        self.refreshMode = try container.decode(String.self, forKey: .refreshMode)
        self.consumers = try container.decodeIfPresent([ConsumerRow].self, forKey: .consumers) ?? []
    }

    /// The consumers of provider `name`'s token.
    public func consumers(of name: String) -> [ConsumerRow] {
        self.consumers.filter { $0.provider == name }
    }
}
