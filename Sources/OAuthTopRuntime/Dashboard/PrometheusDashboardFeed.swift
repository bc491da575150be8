import Alerting
import Dashboard
import Primitives
import Synchronization
import TokenManager

/// The dashboard's content from a Prometheus server that scrapes oauthtop daemons: a fleet view. The panels
/// are the same queries, answered by the server's `/api/v1/query_range`; the provider list is one row per
/// provider and scraped instance (`github @ host-a:9464`), from the daemons' gauges; the alerts are the
/// server's `/api/v1/alerts`. Prometheus is read-only: `r` says where to refresh instead. Events are not in
/// Prometheus, so the log holds only this side's notices.
public final class PrometheusDashboardFeed: DashboardFeed {
    public let panelSource: any PanelQuerySource
    public let refreshMode: String
    private let alerts: @Sendable () async throws -> [AlertRow]
    private let started = ContinuousClock.now
    /// This side's notices, and whether one arrived since the last frame.
    private let notices = Mutex<(rows: [EventRow], new: Bool)>(([], false))

    /// Creates the feed.
    ///
    /// - Parameters:
    ///   - server: How the server is named on screen (its URL).
    ///   - panelSource: The server's query API.
    ///   - alerts: The server's pending and firing alerts.
    public init(
        server: String, panelSource: any PanelQuerySource, alerts: @escaping @Sendable () async throws -> [AlertRow]
    ) {
        self.panelSource = panelSource
        self.alerts = alerts
        self.refreshMode = "fleet from Prometheus \(server)"
    }

    public func state(now: Int64) async throws -> (snapshot: DashboardSnapshot, changed: Bool) {
        let at = now / 1_000_000
        let expiry = try await self.panelSource.query(OAuthMetricNames.tokenExpirationTimestamp, at: at)
        let lifetime = try await self.panelSource.query(OAuthMetricNames.tokenLifetime, at: at)
        let breaker = try await self.panelSource.query(OAuthMetricNames.circuitBreakerState, at: at)
        let emergency = try await self.panelSource.query(OAuthMetricNames.emergencyMode, at: at)
        let alerts = try await self.alerts()
        let rows = Self.providerRows(
            expiry: expiry, lifetime: lifetime, breaker: breaker, emergency: emergency, now: now
        )
        let (events, changed) = self.notices.withLock { notices in
            defer { notices.new = false }
            return (notices.rows, notices.new)
        }
        let snapshot = DashboardSnapshot(
            now: now, uptime: self.started.duration(to: .now), providers: rows, alerts: alerts, events: events,
            refreshMode: self.refreshMode
        )
        return (snapshot, changed)
    }

    /// The provider rows: one per `provider` and `instance` label pair of the daemons' gauges, sorted.
    /// A daemon in emergency mode (`oauth_emergency_mode` 1) shows it; since when and what was tried stay on
    /// that daemon (`oauthtop status` there lists them).
    static func providerRows(
        expiry: [VectorElement], lifetime: [VectorElement], breaker: [VectorElement],
        emergency: [VectorElement] = [], now: Int64
    ) -> [ProviderRow] {
        struct Key: Hashable, Comparable {
            var provider: String
            var instance: String
            static func < (a: Key, b: Key) -> Bool { (a.provider, a.instance) < (b.provider, b.instance) }
        }
        func key(_ element: VectorElement) -> Key? {
            let provider = element.labels[OAuthMetricNames.Label.provider]
            guard !provider.isEmpty else { return nil }
            return Key(provider: provider, instance: element.labels["instance"])
        }
        var rows: [Key: ProviderRow] = [:]
        func row(_ key: Key) -> ProviderRow {
            rows[key]
                ?? ProviderRow(
                    name: key.instance.isEmpty ? key.provider : "\(key.provider) @ \(key.instance)", phase: .missing
                )
        }
        for element in expiry {
            // A time the dashboard can compute with (see DashboardSnapshot.validated()); others are left out.
            let latest = Double(DashboardSnapshot.latestTime / 1_000_000_000)
            guard let key = key(element), element.value.isFinite, element.value > 0, element.value <= latest
            else { continue }
            var entry = row(key)
            let expiresAt = Int64((element.value * 1000).rounded()) * 1_000_000
            entry.expiresAt = expiresAt
            entry.phase = now >= expiresAt ? .expired : .fresh
            rows[key] = entry
        }
        for element in lifetime {
            guard let key = key(element), element.value.isFinite,
                abs(element.value) <= DashboardSnapshot.largestFigure
            else { continue }
            var entry = row(key)
            entry.lifetimeSeconds = element.value
            rows[key] = entry
        }
        for element in breaker {
            guard let key = key(element) else { continue }
            var entry = row(key)
            switch element.value {
            case OAuthMetricNames.CircuitBreakerStateValue.open: entry.breaker = .open
            case OAuthMetricNames.CircuitBreakerStateValue.halfOpen: entry.breaker = .halfOpen
            default: entry.breaker = .closed
            }
            rows[key] = entry
        }
        for element in emergency where element.value == 1 {
            guard let key = key(element) else { continue }
            var entry = row(key)
            entry.emergency = EmergencyRow(since: 0, tried: [])
            rows[key] = entry
        }
        return rows.keys.sorted().compactMap { rows[$0] }
    }

    /// Prometheus cannot refresh: the notice names the command that can, on the daemon's host.
    public func refresh(_ provider: String?) async {
        let name = provider.map { String($0.split(separator: " ").first ?? Substring($0)) }
        let text = "Prometheus is read-only: refresh on the daemon's host with `oauthtop refresh\(name.map { " \($0)" } ?? "")`"
        let notice = EventRow(
            time: WallClock.realtimeNanos(), provider: name ?? "", kind: "refresh_not_available", text: text
        )
        self.notices.withLock { notices in
            notices.rows.append(notice)
            if notices.rows.count > 20 { notices.rows.removeFirst() }
            notices.new = true
        }
    }
}
