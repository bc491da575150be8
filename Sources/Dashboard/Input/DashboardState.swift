/// What the user has chosen on screen: the selected provider and panel, the time range, pause, overlays.
///
/// It changes only through ``handle(_:)`` (keys) and ``present(_:)`` (new data); whatever needs the outside
/// world (a refresh, quitting) comes back as a ``DashboardCommand`` for the program to carry out.
public struct DashboardState: Sendable {
    /// The selected provider, an index into the snapshot's providers.
    public var selectedProvider = 0
    /// The selected panel, an index into the snapshot's panels.
    public var selectedPanel = 0
    /// The time range the panels show; the program captures snapshots for it.
    public var range: TimeRange
    /// Whether the display is frozen (data keeps being collected).
    public private(set) var paused = false
    /// The snapshot shown while paused.
    public private(set) var frozen: DashboardSnapshot?
    /// Whether the help overlay is open.
    public var showingHelp = false
    /// Whether the alerts list has the focus (arrows move through alerts).
    public var alertsFocused = false
    /// The selected alert while the alerts list has the focus.
    public var selectedAlert = 0
    /// Whether the "refresh all?" dialog is open.
    public var confirmingRefreshAll = false
    /// Whether the selected provider's detail view is open (`Enter`).
    public var showingDetail = false
    /// Whether the consumers view is open (`c`).
    public var showingConsumers = false
    /// The selected row of the consumers view.
    public var selectedConsumer = 0
    /// The providers of the last snapshot presented, for naming the one to refresh.
    public private(set) var providerNames: [String] = []
    private var alertCount = 0
    /// The providers of the consumers of the last snapshot presented, in the consumers view's order.
    private var consumerProviders: [String] = []
    private var panelCount = 6
    private var latest: DashboardSnapshot?

    /// Creates the state the dashboard starts in.
    ///
    /// - Parameter range: The initial time range.
    public init(range: TimeRange = .fiveMinutes) {
        self.range = range
    }

    /// Takes a new snapshot and returns the one to draw: the new one, or the frozen one while paused.
    ///
    /// - Parameter live: The snapshot just captured.
    /// - Returns: What the renderer should show.
    public mutating func present(_ live: DashboardSnapshot) -> DashboardSnapshot {
        self.latest = live
        let shown = self.paused ? (self.frozen ?? live) : live
        if self.paused, self.frozen == nil { self.frozen = live }
        self.providerNames = shown.providers.map(\.name)
        self.alertCount = shown.alerts.count
        self.panelCount = shown.panels.count
        self.selectedPanel = Self.clamp(self.selectedPanel, count: self.panelCount)
        self.selectedProvider = Self.clamp(self.selectedProvider, count: self.providerNames.count)
        self.selectedAlert = Self.clamp(self.selectedAlert, count: self.alertCount)
        self.consumerProviders = shown.consumers.map(\.provider)
        self.selectedConsumer = Self.clamp(self.selectedConsumer, count: self.consumerProviders.count)
        return shown
    }

    /// Applies a key.
    ///
    /// - Parameter key: The key pressed.
    /// - Returns: What the program must do (often nothing).
    public mutating func handle(_ key: Key) -> [DashboardCommand] {
        if key == .ctrlC { return [.quit] }
        if self.confirmingRefreshAll {
            switch key {
            case .character("y"), .character("Y"), .enter:
                self.confirmingRefreshAll = false
                return [.refreshAll]
            case .character("n"), .character("N"), .escape, .character("q"):
                self.confirmingRefreshAll = false
            default:
                break
            }
            return []
        }
        if self.showingHelp {
            if let action = KeyBinding.action(for: key), [.help, .back, .quit].contains(action) {
                self.showingHelp = false
            }
            return []
        }
        guard let action = KeyBinding.action(for: key) else { return [] }
        // In a view, `q` closes the view rather than quitting (Ctrl-C still quits).
        if self.showingDetail || self.showingConsumers, action == .quit { return self.perform(.back) }
        return self.perform(action)
    }

    /// Carries out an action (what a bound key does).
    ///
    /// - Parameter action: The action.
    /// - Returns: What the program must do.
    public mutating func perform(_ action: DashboardAction) -> [DashboardCommand] {
        switch action {
        case .refreshSelected:
            guard self.providerNames.indices.contains(self.selectedProvider) else { return [] }
            return [.refreshProvider(self.providerNames[self.selectedProvider])]
        case .refreshAll:
            self.confirmingRefreshAll = true
        case .nextProvider, .previousProvider:
            let step = action == .nextProvider ? 1 : -1
            if self.showingConsumers {
                self.selectedConsumer = Self.wrap(self.selectedConsumer + step, count: self.consumerProviders.count)
            } else if self.alertsFocused {
                self.selectedAlert = Self.wrap(self.selectedAlert + step, count: self.alertCount)
            } else {
                self.selectedProvider = Self.wrap(self.selectedProvider + step, count: self.providerNames.count)
            }
        case .nextPanel, .previousPanel:
            let step = action == .nextPanel ? 1 : -1
            self.selectedPanel = Self.wrap(self.selectedPanel + step, count: self.panelCount)
        case .rangeUp:
            self.range = self.range.longer
        case .rangeDown:
            self.range = self.range.shorter
        case .togglePause:
            self.paused.toggle()
            self.frozen = self.paused ? self.latest : nil
        case .focusAlerts:
            self.alertsFocused.toggle()
        case .detail:
            if self.showingConsumers {
                // Enter on a consumer opens its provider's detail.
                self.showingConsumers = false
                if self.consumerProviders.indices.contains(self.selectedConsumer),
                    let index = self.providerNames.firstIndex(of: self.consumerProviders[self.selectedConsumer])
                {
                    self.selectedProvider = index
                }
                self.showingDetail = !self.providerNames.isEmpty
            } else {
                self.showingDetail = !self.showingDetail && !self.providerNames.isEmpty
            }
        case .consumers:
            self.showingConsumers.toggle()
            self.showingDetail = false
        case .help:
            self.showingHelp = true
        case .back:
            if self.showingDetail || self.showingConsumers {
                self.showingDetail = false
                self.showingConsumers = false
            } else {
                self.alertsFocused = false
            }
        case .quit:
            return [.quit]
        }
        return []
    }

    private static func wrap(_ index: Int, count: Int) -> Int {
        guard count > 0 else { return 0 }
        return ((index % count) + count) % count
    }

    private static func clamp(_ index: Int, count: Int) -> Int {
        min(max(0, index), max(0, count - 1))
    }
}
