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
/// pressed or an event arrives), turns keys into actions, and runs manual refreshes through the
/// manager (joining a refresh in flight). It returns when the user quits, which ends the group,
/// or at graceful shutdown; the terminal is restored either way.
public struct DashboardService: Service {
    private let manager: OAuthTokenManager
    private let collector: TelemetryCollector
    private let options: DashboardOptions
    private let builder: DashboardSnapshotBuilder
    private let events: EventLog
    private let alerting: AlertEvaluationService?
    private let logger: Logger

    public init(
        manager: OAuthTokenManager,
        collector: TelemetryCollector,
        options: DashboardOptions,
        events: EventLog = EventLog(),
        alerting: AlertEvaluationService? = nil,
        consumers: @escaping @Sendable () -> [Consumer] = { [] },
        logger: Logger
    ) {
        self.alerting = alerting
        alerting?.subscribe { events.append(.alert($0)) }
        self.manager = manager
        self.collector = collector
        self.options = options
        self.builder = DashboardSnapshotBuilder(
            panels: PanelQueries(
                dashboard: options.dashboard,
                source: EvaluatorQuerySource(source: collector),
                resolution: collector.configuration.resolution
            ),
            history: ProviderHistory(observing: manager),
            consumers: consumers
        )
        self.events = events
        self.logger = logger
        let log = events
        manager.subscribe { log.append(.token($0)) }
    }

    public func run() async throws {
        let screen = TerminalScreen()
        try await screen.start(options: TerminalOptions(colors: !self.options.noColor))
        let started = ContinuousClock.now
        do {
            try await cancelWhenGracefulShutdown {
                try await self.loop(screen: screen, started: started)
            }
        } catch is CancellationError {
            // Graceful shutdown or cancellation: restore the terminal below.
        } catch {
            await screen.stop()
            throw error
        }
        await screen.stop()
    }

    private func loop(screen: TerminalScreen, started: ContinuousClock.Instant) async throws {
        var state = DashboardState(range: self.options.range)
        var grid = CellGrid(width: 0, height: 0)
        let unicode = await screen.supportsUnicode
        let ascii = self.options.ascii || !unicode
        let renderOptions = RenderOptions(ascii: ascii, noColor: self.options.noColor)
        let utcOffset = TimeZone.current.secondsFromGMT()
        // Between frames the loop sleeps in the key read until the next frame is due: one wake-up per frame
        // when nobody types. After a key it looks every 250 ms for a while, because what the key started (a
        // manual refresh, its refusal) arrives as events the operator expects to see at once.
        let tick = min(self.options.refresh, .milliseconds(250))
        var promptChecks = 0
        var lastFrame: ContinuousClock.Instant?
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
                        if let provider = self.manager.provider(named: name) { self.startRefresh(provider) }
                    case .refreshAll:
                        for provider in self.manager.providers { self.startRefresh(provider) }
                    }
                }
            }
            let (events, changed) = self.events.read()
            let now = ContinuousClock.now
            let due = lastFrame.map { $0.duration(to: now) >= self.options.refresh } ?? true
            guard key != nil || changed || due else { continue }
            lastFrame = now
            let (columns, rows) = await screen.size
            let size = TerminalSize(columns: columns, rows: rows)
            let snapshot = await self.builder.snapshot(
                providers: self.manager.snapshot(),
                events: events,
                alerts: self.alerting?.alertRows() ?? [],
                range: state.range,
                now: WallClock.realtimeNanos(),
                uptime: started.duration(to: now),
                size: size,
                utcOffsetSeconds: utcOffset
            )
            let shown = state.present(snapshot)
            DashboardRenderer.render(
                snapshot: shown, state: state, theme: self.options.theme, size: size, options: renderOptions,
                into: &grid
            )
            await screen.draw(grid)
        }
    }

    /// Starts a manual refresh; its outcome reaches the screen as events. It runs on its own so
    /// that quitting never waits for it; the manager bounds it with its timeouts and retry policy.
    private func startRefresh(_ provider: ProviderID) {
        let manager = self.manager
        Task { _ = try? await manager.refresh(provider) }
    }
}
