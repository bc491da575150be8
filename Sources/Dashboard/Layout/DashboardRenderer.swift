/// Renders a ``DashboardSnapshot`` and the ``DashboardState`` into a ``CellGrid``.
///
/// Pure: the same snapshot, state, theme and size give the same grid. Below ``TerminalSize/minimum`` it draws
/// a centred "terminal too small" message instead of a squeezed layout.
public enum DashboardRenderer {
    /// Renders a frame into a new grid.
    ///
    /// - Parameters:
    ///   - snapshot: The data to show (``DashboardState/present(_:)`` picks it while paused).
    ///   - state: The user's selections and overlays.
    ///   - theme: The styles.
    ///   - size: The terminal's size.
    ///   - options: ASCII and colour choices.
    /// - Returns: The frame.
    public static func render(
        snapshot: DashboardSnapshot,
        state: DashboardState,
        theme: Theme,
        size: TerminalSize,
        options: RenderOptions = .default
    ) -> CellGrid {
        var grid = CellGrid(width: 0, height: 0)
        self.render(snapshot: snapshot, state: state, theme: theme, size: size, options: options, into: &grid)
        return grid
    }

    /// Renders a frame into `grid`, reusing its storage when the size has not changed.
    public static func render(
        snapshot: DashboardSnapshot,
        state: DashboardState,
        theme: Theme,
        size: TerminalSize,
        options: RenderOptions = .default,
        into grid: inout CellGrid
    ) {
        let theme = options.noColor ? theme.withoutColors() : theme
        grid.reset(width: size.columns, height: size.rows, fill: Cell(" ", style: theme[.background]))
        guard let layout = DashboardLayout(size: size, panelCount: snapshot.panels.count) else {
            self.drawTooSmall(size: size, theme: theme, into: &grid)
            return
        }
        let ascii = options.ascii
        self.drawHeader(snapshot: snapshot, state: state, in: layout.header, theme: theme, ascii: ascii, into: &grid)
        for (index, panel) in snapshot.panels.enumerated() where index < layout.panels.count {
            PanelRenderer.draw(
                panel, index: index, snapshot: snapshot, state: state, in: layout.panels[index], theme: theme,
                ascii: ascii, into: &grid
            )
        }
        self.drawAlerts(snapshot: snapshot, state: state, in: layout.alerts, theme: theme, ascii: ascii, into: &grid)
        self.drawEvents(snapshot: snapshot, in: layout.events, theme: theme, ascii: ascii, into: &grid)
        self.drawFooter(in: layout.footer, theme: theme, ascii: ascii, into: &grid)
        let body = Rect(x: 0, y: layout.header.maxY, width: size.columns, height: layout.footer.y - layout.header.maxY)
        if state.showingDetail {
            ProviderDetailView.draw(snapshot: snapshot, state: state, in: body, theme: theme, ascii: ascii, into: &grid)
        } else if state.showingConsumers {
            ConsumersView.draw(snapshot: snapshot, state: state, in: body, theme: theme, ascii: ascii, into: &grid)
        }
        if state.showingHelp {
            self.drawHelp(size: size, theme: theme, ascii: ascii, into: &grid)
        } else if state.confirmingRefreshAll {
            self.drawConfirm(snapshot: snapshot, size: size, theme: theme, ascii: ascii, into: &grid)
        }
    }

    /// The number of history points a graph shows at `size` with `panelCount` panels (0 below the minimum
    /// size).
    public static func graphPoints(for size: TerminalSize, panelCount: Int = 6) -> Int {
        DashboardLayout(size: size, panelCount: panelCount)?.graphPoints ?? 0
    }

    // MARK: - Parts

    static func drawTooSmall(size: TerminalSize, theme: Theme, into grid: inout CellGrid) {
        let minimum = TerminalSize.minimum
        let lines = ["terminal too small: \(size.columns)x\(size.rows), need \(minimum.columns)x\(minimum.rows)"]
        let top = max(0, (size.rows - lines.count) / 2)
        for (index, line) in lines.enumerated() {
            let x = max(0, (size.columns - line.count) / 2)
            grid.write(line, x: x, y: top + index, style: theme[.tooSmall])
        }
    }

    static func drawHeader(
        snapshot: DashboardSnapshot,
        state: DashboardState,
        in rect: Rect,
        theme: Theme,
        ascii: Bool,
        into grid: inout CellGrid
    ) {
        if state.paused {
            let style = theme[.paused]
            grid.fill(rect, with: Cell(" ", style: style))
            let dash = ascii ? "-" : "—"
            let clock = ValueFormat.clock(snapshot.now, utcOffsetSeconds: snapshot.utcOffsetSeconds)
            let long = " PAUSED \(dash) display frozen at \(clock) \(dash) data is still collected \(dash) p resumes "
            let text = long.count <= rect.width ? long : " PAUSED \(dash) p resumes "
            grid.write(text, x: rect.x + max(0, (rect.width - text.count) / 2), y: rect.y, style: style)
            return
        }
        let base = theme[.header]
        let accent = theme[.headerAccent]
        grid.fill(rect, with: Cell(" ", style: base))
        let separator = ascii ? " | " : " │ "
        var x = rect.x
        func put(_ text: String, _ style: CellStyle) {
            x += grid.write(text, x: x, y: rect.y, style: style, maxWidth: rect.maxX - x)
        }
        put(" oauthtop", accent)
        put(separator, base)
        // Emergency mode comes first, where a cut header still shows it.
        let emergencies = snapshot.providers.filter { $0.emergency != nil }
        if !emergencies.isEmpty {
            put(" EMERGENCY: " + emergencies.map(\.name).joined(separator: ", ") + " ", theme[.critical])
            put(separator, base)
        }
        for (index, provider) in snapshot.providers.enumerated() {
            if index > 0 { put(" ", base) }
            let marker = provider.breaker == .open || provider.needsIntervention || provider.emergency != nil ? "!" : ""
            let style = provider.emergency != nil ? theme[.critical] : (index == state.selectedProvider ? accent : base)
            put(provider.name + marker, index == state.selectedProvider ? style.union(theme[.selected]) : style)
        }
        if snapshot.providers.isEmpty { put("no providers", base) }
        put(separator + "up " + ValueFormat.duration(Double(snapshot.uptime.components.seconds)), base)
        put(separator + ValueFormat.clock(snapshot.now, utcOffsetSeconds: snapshot.utcOffsetSeconds), base)
        put(separator + snapshot.refreshMode, base)
        put(separator + "range ", base)
        put(state.range.label, accent)
    }

    static func drawAlerts(
        snapshot: DashboardSnapshot,
        state: DashboardState,
        in rect: Rect,
        theme: Theme,
        ascii: Bool,
        into grid: inout CellGrid
    ) {
        let firing = snapshot.alerts.count { $0.state == .firing }
        Box.draw(
            rect,
            title: "Alerts: \(firing) firing, \(snapshot.alerts.count - firing) pending",
            border: theme[state.alertsFocused ? .borderFocused : .border],
            titleStyle: theme[.title],
            ascii: ascii,
            into: &grid
        )
        let inner = rect.inset(by: 1)
        guard !inner.isEmpty else { return }
        guard !snapshot.alerts.isEmpty else {
            grid.write("no alerts pending or firing", x: inner.x, y: inner.y, style: theme[.muted],
                maxWidth: inner.width)
            return
        }
        // The name column fits the longest name, up to 32 cells or two fifths of the box; longer names end in …
        let longest = snapshot.alerts.map(\.name.count).max() ?? 0
        let nameWidth = max(5, min(longest, 32, inner.width * 2 / 5))
        let rows = snapshot.alerts.map { alert in
            [
                Table.Entry(alert.state == .firing ? "FIRING" : "pending",
                    alert.state == .firing ? .alertFiring : .alertPending),
                Table.Entry(
                    alert.name.count > nameWidth ? alert.name.prefix(nameWidth - 1) + (ascii ? "~" : "…") : alert.name,
                    .text
                ),
                Table.Entry(ValueFormat.duration(Double(snapshot.now - alert.since) / 1e9), .muted),
                Table.Entry(alert.severity + " " + alert.summary, .muted),
            ]
        }
        let columns = [
            Table.Column("state", width: 7), Table.Column("alert", width: nameWidth),
            Table.Column("for", width: 6, alignRight: true), Table.Column("summary", width: 0),
        ]
        // Keep the selected alert in view.
        let visible = max(1, inner.height)
        let first = state.alertsFocused ? max(0, state.selectedAlert - visible + 1) : 0
        Table.draw(
            columns: columns,
            rows: Array(rows.dropFirst(first)),
            in: inner,
            header: false,
            selectedRow: state.alertsFocused ? state.selectedAlert - first : nil,
            theme: theme,
            into: &grid
        )
    }

    static func drawEvents(
        snapshot: DashboardSnapshot,
        in rect: Rect,
        theme: Theme,
        ascii: Bool,
        into grid: inout CellGrid
    ) {
        Box.draw(rect, title: "Recent events", border: theme[.border], titleStyle: theme[.title], ascii: ascii,
            into: &grid)
        let inner = rect.inset(by: 1)
        guard !inner.isEmpty else { return }
        guard !snapshot.events.isEmpty else {
            grid.write("no events yet", x: inner.x, y: inner.y, style: theme[.muted], maxWidth: inner.width)
            return
        }
        let shown = snapshot.events.suffix(inner.height)
        var y = inner.y
        for event in shown {
            var x = inner.x
            func put(_ text: String, _ role: ThemeRole, width: Int? = nil) {
                let written = grid.write(text, x: x, y: y, style: theme[role], maxWidth: inner.maxX - x)
                x += max(written, width ?? written) + 1
            }
            put(ValueFormat.clock(event.time, utcOffsetSeconds: snapshot.utcOffsetSeconds), .eventTime)
            put(event.provider, .eventProvider, width: 8)
            put(event.kind, event.isError ? .eventError : .text, width: 17)
            put(event.text, .muted)
            y += 1
        }
    }

    /// The footer, generated from the key table; help and quit stay at the right edge whatever the width.
    static func drawFooter(in rect: Rect, theme: Theme, ascii: Bool, into grid: inout CellGrid) {
        grid.fill(rect, with: Cell(" ", style: theme[.footer]))
        let entries = ascii ? self.asciiFooter : self.unicodeFooter
        let pinned = entries.filter { $0.summary == "help" || $0.summary == "quit" }
        let pinnedWidth = pinned.reduce(0) { $0 + $1.keys.count + $1.summary.count + 3 }
        var x = rect.maxX - pinnedWidth
        for entry in pinned {
            x += grid.write(entry.keys, x: x, y: rect.y, style: theme[.footerKey]) + 1
            x += grid.write(entry.summary, x: x, y: rect.y, style: theme[.footer]) + 2
        }
        x = rect.x + 1
        for entry in entries where entry.summary != "help" && entry.summary != "quit" {
            let needed = entry.keys.count + 1 + entry.summary.count
            // At least two spaces before the pinned entries.
            guard x + needed + 2 <= rect.maxX - pinnedWidth else { break }
            x += grid.write(entry.keys, x: x, y: rect.y, style: theme[.footerKey]) + 1
            x += grid.write(entry.summary, x: x, y: rect.y, style: theme[.footer]) + 2
        }
    }

    private static let unicodeFooter = KeyBinding.footerEntries(ascii: false)
    private static let asciiFooter = KeyBinding.footerEntries(ascii: true)

    static func drawHelp(size: TerminalSize, theme: Theme, ascii: Bool, into grid: inout CellGrid) {
        let table = KeyBinding.table
        let keyWidth = table.map { $0.keyLabel(ascii: ascii).count }.max() ?? 0
        let textWidth = table.map { $0.description.count }.max() ?? 0
        let width = min(size.columns - 4, keyWidth + textWidth + 7)
        let height = min(size.rows - 2, table.count + 4)
        let rect = Rect(x: (size.columns - width) / 2, y: (size.rows - height) / 2, width: width, height: height)
        Box.draw(rect, title: "Help: keys", border: theme[.overlayBorder], titleStyle: theme[.overlayTitle],
            fill: theme[.overlay], ascii: ascii, into: &grid)
        let inner = rect.inset(by: 1)
        for (index, binding) in table.enumerated() where index + 1 < inner.height {
            let y = inner.y + index
            grid.write(binding.keyLabel(ascii: ascii), x: inner.x + 1, y: y, style: theme[.overlayTitle])
            grid.write(binding.description, x: inner.x + keyWidth + 3, y: y, style: theme[.overlay],
                maxWidth: inner.maxX - inner.x - keyWidth - 3)
        }
        grid.write("Esc, ? or q closes this help", x: inner.x + 1, y: inner.maxY - 1, style: theme[.overlay],
            maxWidth: inner.width - 1)
    }

    static func drawConfirm(
        snapshot: DashboardSnapshot,
        size: TerminalSize,
        theme: Theme,
        ascii: Bool,
        into grid: inout CellGrid
    ) {
        let question = "Refresh all \(snapshot.providers.count) providers' tokens now?"
        let answer = "y/Enter: refresh all    n/Esc: cancel"
        let width = min(size.columns - 4, max(question.count, answer.count) + 6)
        let rect = Rect(x: (size.columns - width) / 2, y: (size.rows - 6) / 2, width: width, height: 6)
        Box.draw(rect, title: "Confirm", border: theme[.overlayBorder], titleStyle: theme[.overlayTitle],
            fill: theme[.overlay], ascii: ascii, into: &grid)
        grid.write(question, x: rect.x + 3, y: rect.y + 2, style: theme[.overlayTitle], maxWidth: width - 4)
        grid.write(answer, x: rect.x + 3, y: rect.y + 3, style: theme[.overlay], maxWidth: width - 4)
    }
}

extension CellStyle {
    /// This style with `other`'s attributes added.
    func union(_ other: CellStyle) -> CellStyle {
        CellStyle(foreground: self.foreground, background: self.background,
            attributes: self.attributes.union(other.attributes))
    }
}
