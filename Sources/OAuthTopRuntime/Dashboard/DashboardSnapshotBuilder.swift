import Dashboard
import TokenManager

/// Builds the part of a ``DashboardSnapshot`` that is not panels: rows from the token manager's state (with the
/// endpoints' recent outcomes and the breaker's transitions from a ``ProviderHistory``), the consumers of the
/// tokens, the event log and the alerts.
///
/// The dashboard only draws the value; this is where the program's types become the dashboard's. The panels
/// are queries, evaluated by ``PanelQueries`` wherever the dashboard runs.
public struct DashboardSnapshotBuilder: Sendable {
    /// How many events the snapshot keeps (the newest).
    public var maxEvents: Int
    /// Where the detail view's endpoint outcomes and breaker transitions come from; `nil` shows none.
    public var history: ProviderHistory?
    /// The consumers of the tokens at this instant: exec'd tasks, sinks, socket clients.
    public var consumers: @Sendable () -> [Consumer]

    /// Creates a builder.
    ///
    /// - Parameters:
    ///   - maxEvents: How many events a snapshot keeps.
    ///   - history: The providers' recent past (``ProviderHistory/init(observing:capacity:)``).
    ///   - consumers: Lists the consumers (e.g. a ``ConsumerRegistry``'s and ``SocketConsumers``' together).
    public init(
        maxEvents: Int = 200,
        history: ProviderHistory? = nil,
        consumers: @escaping @Sendable () -> [Consumer] = { [] }
    ) {
        self.maxEvents = maxEvents
        self.history = history
        self.consumers = consumers
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
            providers: providers.map { ProviderRow($0, history: self.history) },
            alerts: alerts,
            events: events.suffix(self.maxEvents).map(EventRow.init),
            refreshMode: refreshMode,
            consumers: Self.rows(self.consumers())
        )
    }

    /// The consumers' rows in the consumers view's order: exec'd tasks, sinks, socket clients; within a kind
    /// by provider, then oldest first.
    public static func rows(_ consumers: [Consumer]) -> [ConsumerRow] {
        let rank: [Consumer.Kind: Int] = [.exec: 0, .sink: 1, .socket: 2]
        return consumers.sorted {
            (rank[$0.kind] ?? 3, $0.provider, $0.since, $0.id) < (rank[$1.kind] ?? 3, $1.provider, $1.since, $1.id)
        }.map(ConsumerRow.init)
    }
}
