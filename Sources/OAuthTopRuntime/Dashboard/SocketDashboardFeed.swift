import Dashboard
import Primitives
import Synchronization

/// The dashboard's content from a running daemon, over its token socket: providers, consumers, alerts and
/// events from `GET /v1/dashboard`, the panels from the socket's Prometheus-style query API, and the `r` key
/// as `POST /v1/refresh/{provider}`. No token manager runs in the watching process.
public final class SocketDashboardFeed: DashboardFeed {
    public let client: TokenSocketClient
    public let panelSource: any PanelQuerySource
    public let refreshMode: String
    /// The last events seen, to tell whether new ones arrived; and what this side has to say (a refresh the
    /// daemon could not be asked for), shown among the daemon's events.
    private let local = Mutex<(lastEvent: EventRow?, count: Int, notices: [EventRow])>((nil, 0, []))

    /// Creates the feed.
    ///
    /// - Parameters:
    ///   - client: The daemon's socket client.
    ///   - panelSource: What answers the panels' queries (the daemon's query API on the same socket).
    public init(client: TokenSocketClient, panelSource: any PanelQuerySource) {
        self.client = client
        self.panelSource = panelSource
        self.refreshMode = "attached to \(client.endpoint)"
    }

    public func state(now: Int64) async throws -> (snapshot: DashboardSnapshot, changed: Bool) {
        var snapshot = try await self.client.dashboard()
        snapshot.refreshMode = self.refreshMode
        let changed = self.local.withLock { local in
            let changed = local.lastEvent != snapshot.events.last || local.count != snapshot.events.count
            local.lastEvent = snapshot.events.last
            local.count = snapshot.events.count
            if !local.notices.isEmpty {
                snapshot.events = (snapshot.events + local.notices).sorted { $0.time < $1.time }
            }
            return changed
        }
        return (snapshot, changed)
    }

    /// Asks the daemon to refresh and returns at once (the dashboard keeps drawing while the daemon refreshes):
    /// the outcome reaches the screen as the daemon's events. A request the daemon could not take (it is gone,
    /// the provider is unknown) becomes a notice among them.
    public func refresh(_ provider: String?) async {
        let client = self.client
        Task {
            do {
                _ = try await client.refresh(provider: provider)
            } catch {
                let notice = EventRow(
                    time: WallClock.realtimeNanos(), provider: provider ?? "", kind: "refresh_not_sent",
                    text: "refresh not sent: \(error)", isError: true
                )
                self.local.withLock { local in
                    local.notices.append(notice)
                    if local.notices.count > 20 { local.notices.removeFirst() }
                }
            }
        }
    }
}
