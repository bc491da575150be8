import Dashboard
import Foundation
import Primitives
import Telemetry
import TokenManager

/// The dashboard's content from this process: the token manager's providers, its events and the alert
/// evaluation's, the panels evaluated in process over the Telemetry series. What `watch` without a daemon
/// and `demo` show, and what the daemon serves to attached dashboards (`GET /v1/dashboard`).
public final class LocalDashboardFeed: DashboardFeed {
    public let manager: OAuthTokenManager
    public let panelSource: any PanelQuerySource
    public let refreshMode: String
    /// The recent events, shared by every reader of this feed.
    public let events: EventLog
    private let alerting: AlertEvaluationService?
    private let builder: DashboardSnapshotBuilder
    private let started: ContinuousClock.Instant
    private let utcOffset: Int

    /// Creates the feed and subscribes its event log to the manager's and the alert evaluation's events.
    ///
    /// - Parameters:
    ///   - manager: The token manager.
    ///   - collector: The series the panels read.
    ///   - alerting: The rule evaluation, when rules run.
    ///   - refreshMode: The header's text.
    ///   - events: The event log (a new one by default).
    ///   - consumers: Lists the consumers of the tokens (exec'd tasks, sinks, socket clients).
    public init(
        manager: OAuthTokenManager,
        collector: TelemetryCollector,
        alerting: AlertEvaluationService? = nil,
        refreshMode: String = "proactive",
        events: EventLog = EventLog(),
        consumers: @escaping @Sendable () -> [Consumer] = { [] }
    ) {
        self.manager = manager
        self.panelSource = EvaluatorQuerySource(source: collector)
        self.alerting = alerting
        self.refreshMode = refreshMode
        self.events = events
        // Made before the manager runs, so that the history sees the first refresh.
        self.builder = DashboardSnapshotBuilder(
            maxEvents: 200, history: ProviderHistory(observing: manager), consumers: consumers
        )
        self.started = .now
        self.utcOffset = TimeZone.current.secondsFromGMT()
        manager.subscribe { events.append(.token($0)) }
        alerting?.subscribe { events.append(.alert($0)) }
    }

    public func state(now: Int64) async throws -> (snapshot: DashboardSnapshot, changed: Bool) {
        let (events, changed) = self.events.read()
        let snapshot = self.builder.state(
            providers: self.manager.snapshot(),
            events: events,
            alerts: self.alerting?.alertRows() ?? [],
            now: now,
            uptime: self.started.duration(to: .now),
            refreshMode: self.refreshMode,
            utcOffsetSeconds: self.utcOffset
        )
        return (snapshot, changed)
    }

    /// Starts the refresh and returns: its outcome arrives as events. It runs on its own so that quitting
    /// never waits for it; the manager bounds it with its timeouts and retry policy.
    public func refresh(_ provider: String?) async {
        let manager = self.manager
        let providers = provider.map { name in manager.provider(named: name).map { [$0] } ?? [] } ?? manager.providers
        for provider in providers {
            Task { _ = try? await manager.refresh(provider) }
        }
    }
}
