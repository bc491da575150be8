import Dashboard
import Foundation
import Logging
import OAuthTopConfig
import ServiceLifecycle
import Telemetry
import Terminal
import TokenManager

/// How the dashboard looks and ticks.
public struct DashboardOptions: Sendable {
    public var theme: Theme
    public var ascii: Bool
    public var noColor: Bool
    /// How often the screen is redrawn when nothing happens.
    public var refresh: Duration
    public var range: TimeRange
    /// The panels and their queries (the default dashboard file's unless the configuration names another).
    public var dashboard: DashboardDefinition

    public init(
        theme: Theme = .default,
        ascii: Bool = false,
        noColor: Bool = false,
        refresh: Duration = .seconds(1),
        range: TimeRange = .fiveMinutes,
        dashboard: DashboardDefinition = DashboardFile.defaultDashboard()
    ) {
        self.theme = theme
        self.ascii = ascii
        self.noColor = noColor
        self.refresh = refresh
        self.range = range
        self.dashboard = dashboard
    }
}

/// The ncurses dashboard as a service: draws a frame every `refresh` (and at once when a key is
/// pressed or an event arrives), turns keys into actions, and carries out manual refreshes through its
/// feed (the manager in this process, or a daemon over its socket). It returns when the user quits, which
/// ends the group, or at graceful shutdown; the terminal is restored either way.
public struct DashboardService: Service {
    private let feed: any DashboardFeed
    private let options: DashboardOptions
    private let panels: PanelQueries
    private let logger: Logger

    /// Creates the dashboard.
    ///
    /// - Parameters:
    ///   - feed: Where the providers, events, alerts and panel data come from.
    ///   - options: How it looks and ticks.
    ///   - resolution: The panel data's sample interval (the collector's, or Prometheus's scrape interval).
    public init(feed: any DashboardFeed, options: DashboardOptions, resolution: Duration = .seconds(1), logger: Logger) {
        self.feed = feed
        self.options = options
        self.panels = PanelQueries(dashboard: options.dashboard, source: feed.panelSource, resolution: resolution)
        self.logger = logger
    }

    /// The in-process dashboard of `manager`: a ``LocalDashboardFeed`` over it.
    public init(
        manager: OAuthTokenManager,
        collector: TelemetryCollector,
        options: DashboardOptions,
        alerting: AlertEvaluationService? = nil,
        consumers: @escaping @Sendable () -> [Consumer] = { [] },
        logger: Logger
    ) {
        self.init(
            feed: LocalDashboardFeed(manager: manager, collector: collector, alerting: alerting, consumers: consumers),
            options: options, resolution: collector.configuration.resolution, logger: logger
        )
    }

    public func run() async throws {
        let screen = TerminalScreen()
        try await screen.start(options: TerminalOptions(colors: !self.options.noColor))
        do {
            try await cancelWhenGracefulShutdown {
                try await self.loop(screen: screen)
            }
        } catch is CancellationError {
            // Graceful shutdown or cancellation: restore the terminal below.
        } catch {
            await screen.stop()
            throw error
        }
        await screen.stop()
    }

    private func loop(screen: TerminalScreen) async throws {
        var state = DashboardState(range: self.options.range)
        var grid = CellGrid(width: 0, height: 0)
        let unicode = await screen.supportsUnicode
        let ascii = self.options.ascii || !unicode
        let renderOptions = RenderOptions(ascii: ascii, noColor: self.options.noColor)
        // Between frames the loop sleeps in the key read until the next frame is due: one wake-up per frame
        // when nobody types. After a key it looks every 250 ms for a while, because what the key started (a
        // manual refresh, its refusal) arrives as events the operator expects to see at once.
        let tick = min(self.options.refresh, .milliseconds(250))
        var promptChecks = 0
        var lastFrame: ContinuousClock.Instant?
        var lastState: DashboardSnapshot?
        while !Task.isCancelled {
            let untilDue = lastFrame.map { self.options.refresh - $0.duration(to: ContinuousClock.now) } ?? .zero
            let key = await screen.readKey(timeout: max(.zero, promptChecks > 0 ? min(untilDue, tick) : untilDue))
            promptChecks = key != nil ? 20 : max(0, promptChecks - 1)
            if let key {
                for command in state.handle(key) {
                    switch command {
                    case .quit:
                        return
                    case .refreshProvider(let name):
                        await self.feed.refresh(name)
                    case .refreshAll:
                        await self.feed.refresh(nil)
                    }
                }
            }
            let now = ContinuousClock.now
            let due = lastFrame.map { $0.duration(to: now) >= self.options.refresh } ?? true
            let wall = WallClock.realtimeNanos()
            var snapshot: DashboardSnapshot
            var changed: Bool
            do {
                (snapshot, changed) = try await self.feed.state(now: wall)
            } catch {
                // The daemon or Prometheus is gone or failing: keep the last rows, say why, keep trying.
                snapshot = Self.unreachable(lastState, error: error, now: wall, mode: self.feed.refreshMode)
                changed = false
            }
            lastState = snapshot
            guard key != nil || changed || due else { continue }
            lastFrame = now
            let (columns, rows) = await screen.size
            let size = TerminalSize(columns: columns, rows: rows)
            let points = DashboardRenderer.graphPoints(for: size, panelCount: self.panels.dashboard.panels.count)
            snapshot.range = state.range
            snapshot.panels = await self.panels.panels(range: state.range, now: wall / 1_000_000, points: points)
            let shown = state.present(snapshot)
            DashboardRenderer.render(
                snapshot: shown, state: state, theme: self.options.theme, size: size, options: renderOptions,
                into: &grid
            )
            await screen.draw(grid)
        }
    }

    /// The frame while the feed fails: the last rows it gave, with the failure as the newest event.
    static func unreachable(_ last: DashboardSnapshot?, error: any Error, now: Int64, mode: String) -> DashboardSnapshot {
        var snapshot = last ?? DashboardSnapshot(now: now, refreshMode: mode)
        snapshot.now = now
        let text = PanelQueries.message(error)
        if snapshot.events.last?.text != text {
            snapshot.events.append(EventRow(time: now, provider: "", kind: "feed_unreachable", text: text, isError: true))
        }
        return snapshot
    }
}
