/// Draws a panel: a titled box, a headline figure, a history graph and per-item lines, from the series of the
/// panel's queries as its ``PanelStyle`` reads them.
///
/// Inside the border the first row holds the headline (``SingleStat``), the last rows one line per provider or
/// method (as many as fit in half the height), and the graph takes the rows between.
enum PanelRenderer {
    /// One line under the graph: a label, a figure, and optionally a gauge or a badge.
    struct Detail {
        var label: String
        var labelRole: ThemeRole = .eventProvider
        var value: String
        var valueRole: ThemeRole = .text
        var gauge: Double?
        var gaugeRole: ThemeRole = .gaugeFilled
        var badge: BreakerStatus?
    }

    struct Content {
        var value: String
        var valueRole: ThemeRole
        var trend: Double?
        var higherIsBetter: Bool
        var note: String
        var graph: [Double?]
        var graphMinimum: Double?
        var graphMaximum: Double?
        var graphRole: ThemeRole = .graph
        var badge: BreakerStatus?
        var details: [Detail]
        /// Whether the details follow the headline on its row when they all fit there (a wide, short panel),
        /// leaving the rows below to the graph.
        var inlineDetails = false
    }

    static func draw(
        _ panel: Panel,
        index: Int,
        snapshot: DashboardSnapshot,
        state: DashboardState,
        in rect: Rect,
        theme: Theme,
        ascii: Bool,
        into grid: inout CellGrid
    ) {
        let focused = state.selectedPanel == index && !state.alertsFocused
        let definition = panel.definition
        Box.draw(
            rect,
            title: "\(index + 1) "
                + (definition.title.count + 6 <= rect.width ? definition.title : definition.shortTitle),
            border: theme[focused ? .borderFocused : .border],
            titleStyle: theme[.title],
            ascii: ascii,
            into: &grid
        )
        let inner = rect.inset(by: 1)
        guard inner.height >= 1, inner.width >= 4 else { return }
        var content = self.content(panel, snapshot: snapshot, state: state, ascii: ascii)
        if let error = panel.error {
            // A failed query takes the headline, in the error role, cut to the width by the writer.
            content.value = "query error: " + error
            content.valueRole = Self.errorRole
            content.trend = nil
            content.note = ""
            content.badge = nil
        }

        var x = inner.x
        if let badge = content.badge {
            x += Badge.draw(breaker: badge, x: x, y: inner.y, maxWidth: inner.width, theme: theme, into: &grid) + 1
        }
        x += SingleStat.draw(
            value: content.value,
            valueStyle: theme[content.valueRole],
            trend: content.trend,
            higherIsBetter: content.higherIsBetter,
            note: content.note,
            x: x,
            y: inner.y,
            width: inner.maxX - x,
            theme: theme,
            ascii: ascii,
            into: &grid
        )
        // Details on the headline's row: when the style asks and they all fit, or when no line fits below (a
        // strip one line high), as many as fit.
        let inlineWidth = content.details.reduce(0) { $0 + 2 + $1.label.count + 1 + $1.value.count }
        let inline = (content.inlineDetails && x + inlineWidth <= inner.maxX) || inner.height < 3
        if inline {
            self.drawInline(content.details, x: x, y: inner.y, maxX: inner.maxX, theme: theme, into: &grid)
        }
        let detailRows = !inline && inner.height >= 3 ? min(content.details.count, max(1, (inner.height - 1) / 2)) : 0
        let graphRows = inner.height - 1 - detailRows
        if graphRows > 0 {
            // A strip is wider than the steps the queries ask for (as many as the narrowest panel's columns):
            // each point takes as many whole columns as fit, rather than leaving most of the strip empty.
            let factor = content.graph.isEmpty ? 1 : max(1, inner.width / content.graph.count)
            let graph = factor == 1 ? content.graph : content.graph.flatMap { Array(repeating: $0, count: factor) }
            Sparkline.draw(
                graph,
                in: Rect(x: inner.x, y: inner.y + 1, width: inner.width, height: graphRows),
                minimum: content.graphMinimum,
                maximum: content.graphMaximum,
                style: theme[content.graphRole],
                ascii: ascii,
                into: &grid
            )
        }
        let labelWidth = min(12, max(6, inner.width / 3))
        for (index, detail) in content.details.prefix(detailRows).enumerated() {
            let y = inner.maxY - detailRows + index
            var column = inner.x
            if let badge = detail.badge {
                column += Badge.draw(breaker: badge, x: column, y: y, maxWidth: inner.width, theme: theme, into: &grid)
                column += 1
            }
            grid.write(detail.label, x: column, y: y, style: theme[detail.labelRole], maxWidth: labelWidth)
            column += labelWidth + 1
            let written = grid.write(
                detail.value, x: column, y: y, style: theme[detail.valueRole], maxWidth: inner.maxX - column)
            column += max(written, 7) + 1
            if let fraction = detail.gauge, inner.maxX - column >= 3 {
                Gauge.draw(
                    fraction: fraction,
                    in: Rect(x: column, y: y, width: inner.maxX - column, height: 1),
                    filled: theme[detail.gaugeRole],
                    empty: theme[.gaugeEmpty],
                    ascii: ascii,
                    into: &grid
                )
            }
        }
    }

    /// Writes `label value` pairs after the headline, two spaces apart, as many as fit whole.
    private static func drawInline(
        _ details: [Detail], x: Int, y: Int, maxX: Int, theme: Theme, into grid: inout CellGrid
    ) {
        var column = x + 2
        for detail in details {
            guard column + detail.label.count + 1 + detail.value.count <= maxX else { return }
            column += grid.write(detail.label, x: column, y: y, style: theme[.muted], maxWidth: maxX - column) + 1
            column += grid.write(detail.value, x: column, y: y, style: theme[detail.valueRole], maxWidth: maxX - column)
            column += 2
        }
    }

    private static func providerRole(_ name: String, state: DashboardState, snapshot: DashboardSnapshot) -> ThemeRole {
        let index = snapshot.providers.firstIndex { $0.name == name }
        if let index, snapshot.providers[index].emergency != nil { return .critical }
        return index == state.selectedProvider ? .selected : .eventProvider
    }

    static func content(
        _ panel: Panel,
        snapshot: DashboardSnapshot,
        state: DashboardState,
        ascii: Bool
    ) -> Content {
        let series = panel.series
        let range = snapshot.range.label
        let selected = snapshot.providers.indices.contains(state.selectedProvider)
            ? snapshot.providers[state.selectedProvider] : nil
        func role(_ name: String) -> ThemeRole { self.providerRole(name, state: state, snapshot: snapshot) }
        switch panel.definition.style {
        case .ratio:
            let all = series.first ?? DashboardSeries(label: "all", value: nil)
            let details = series.dropFirst().map { series in
                Detail(
                    label: series.label, labelRole: role(series.label),
                    value: series.value.map(ValueFormat.percent) ?? "-",
                    valueRole: series.value.map(self.healthRole) ?? .muted,
                    gauge: series.value ?? 0, gaugeRole: series.value.map(self.healthRole) ?? .gaugeFilled
                )
            }
            return Content(
                value: all.value.map(ValueFormat.percent) ?? "no rounds yet",
                valueRole: all.value.map(self.healthRole) ?? .muted,
                trend: all.trend, higherIsBetter: true,
                note: all.value == nil ? "" : "of rounds, \(range)",
                graph: all.points, graphMinimum: 0, graphMaximum: 1,
                details: details
            )
        case .lifetime:
            let average = series.first ?? DashboardSeries(label: "average", value: nil)
            let rows = Array(series.dropFirst())
            let chosen = rows.first { $0.label == selected?.name } ?? rows.first
            let details = rows.map { series in
                let provider = snapshot.providers.first { $0.name == series.label }
                var fraction: Double?
                if let remaining = series.value, let lifetime = provider?.lifetimeSeconds {
                    fraction = remaining / max(1, lifetime)
                }
                return Detail(
                    label: series.label, labelRole: role(series.label),
                    value: series.value.map { $0 <= 0 ? "expired" : "exp " + ValueFormat.duration($0) } ?? "no token",
                    valueRole: series.value == nil ? .muted : ((fraction ?? 1) < 0.1 ? .bad : .text),
                    gauge: fraction ?? 0,
                    gaugeRole: (fraction ?? 1) < 0.1 ? .bad : .gaugeFilled
                )
            }
            return Content(
                value: average.value.map { "avg " + ValueFormat.duration($0) } ?? "no token yet",
                valueRole: average.value == nil ? .muted : .value,
                trend: nil, higherIsBetter: true,
                note: chosen?.value.map { remaining in
                    "\(chosen?.label ?? "") " + (remaining <= 0 ? "expired" : "exp \(ValueFormat.duration(remaining))")
                } ?? "",
                graph: chosen?.points ?? [], graphMinimum: 0,
                graphMaximum: snapshot.providers.first { $0.name == chosen?.label }?.lifetimeSeconds ?? average.value,
                details: details
            )
        case .quantiles:
            let p99 = series.first ?? DashboardSeries(label: "p99", value: nil)
            let p50 = series.dropFirst().first ?? DashboardSeries(label: "p50", value: nil)
            return Content(
                value: p99.value.map { "\(p99.label) " + ValueFormat.latency($0, ascii: ascii) }
                    ?? "no refreshes yet",
                valueRole: p99.value == nil ? .muted : .value,
                trend: p99.trend, higherIsBetter: false,
                note: p50.value.map { "\(p50.label) " + ValueFormat.latency($0, ascii: ascii) } ?? "",
                graph: p99.points, graphMinimum: 0, graphMaximum: nil,
                details: [
                    Detail(
                        label: p50.label, labelRole: .graphSecondary,
                        value: p50.value.map { ValueFormat.latency($0, ascii: ascii) } ?? "-",
                        valueRole: .graphSecondary
                    )
                ]
            )
        case .count:
            let all = series.first ?? DashboardSeries(label: "all", value: nil)
            let details = series.dropFirst().map { series in
                Detail(
                    label: series.label, labelRole: .text,
                    value: ValueFormat.number(series.value ?? 0),
                    valueRole: (series.value ?? 0) > 0 ? .warning : .muted
                )
            }
            let uses = all.value ?? 0
            return Content(
                value: ValueFormat.count(uses, unit: panel.definition.unit),
                valueRole: uses > 0 ? .warning : .good,
                trend: all.trend, higherIsBetter: false,
                note: details.isEmpty ? "none needed, \(range)" : "in \(range)",
                graph: all.points, graphMinimum: 0, graphMaximum: nil,
                details: details
            )
        case .breaker:
            // Worst first, so an open breaker is always in view.
            let worst = snapshot.providers.sorted { $0.breaker.gaugeValue > $1.breaker.gaugeValue }
            let details = worst.map { provider in
                Detail(
                    label: provider.name, labelRole: role(provider.name),
                    value: provider.breakerDuration(now: snapshot.now) ?? "",
                    valueRole: .muted, badge: provider.breaker
                )
            }
            let history = series.first { $0.label == selected?.name }
            return Content(
                value: selected?.name ?? "no providers",
                valueRole: selected == nil ? .muted : .eventProvider,
                trend: nil, higherIsBetter: false,
                note: selected?.breakerDuration(now: snapshot.now).map { "for " + $0 } ?? "",
                graph: history?.points ?? [], graphMinimum: 0, graphMaximum: 2,
                graphRole: selected.map { Badge.breaker($0.breaker).role } ?? .graph,
                badge: selected?.breaker,
                details: details
            )
        case .rate:
            let all = series.first ?? DashboardSeries(label: "all", value: nil)
            let details = series.dropFirst().map { series in
                Detail(
                    label: series.label, labelRole: role(series.label),
                    value: series.value.map(ValueFormat.number) ?? "-",
                    valueRole: (series.value ?? 0) > 0 ? .warning : .muted
                )
            }
            let rate = all.points.last { $0 != nil } ?? nil
            return Content(
                value: all.value.map { ValueFormat.count($0, unit: panel.definition.unit) } ?? "no data yet",
                valueRole: all.value == nil ? .muted : ((all.value ?? 0) > 0 ? .warning : .value),
                trend: all.trend, higherIsBetter: false,
                note: all.value == nil ? "" : "in \(range)" + (rate.map { ", " + ValueFormat.rate($0) } ?? ""),
                graph: all.points, graphMinimum: 0, graphMaximum: nil,
                details: details
            )
        case .api:
            return self.apiContent(series, range: range)
        case .graph:
            let unit = panel.definition.unit
            let first = series.first
            let details = series.dropFirst().map { series in
                Detail(
                    label: series.label, labelRole: role(series.label),
                    value: series.value.map { ValueFormat.value($0, unit: unit, ascii: ascii) } ?? "-",
                    valueRole: series.value == nil ? .muted : .text
                )
            }
            return Content(
                value: first?.value.map { ValueFormat.value($0, unit: unit, ascii: ascii) } ?? "no data yet",
                valueRole: first?.value == nil ? .muted : .value,
                trend: first?.trend, higherIsBetter: true,
                note: first.map { series in series.label.isEmpty ? range : "\(series.label), \(range)" } ?? "",
                graph: first?.points ?? [], graphMinimum: unit == "percent" ? 0 : nil,
                graphMaximum: unit == "percent" ? 1 : nil,
                details: details
            )
        }
    }

    /// The API panel: the series by their legends (``PanelStyle/api``).
    private static func apiContent(_ series: [DashboardSeries], range: String) -> Content {
        func named(_ label: String) -> DashboardSeries? { series.first { $0.label == label } }
        let requests = named("requests")
        let known: Set<String> = ["requests", "errors", "replays", "quota", "shed"]
        func count(_ label: String) -> Detail {
            let value = named(label)?.value
            let role: ThemeRole = value == nil ? .muted : ((value ?? 0) > 0 ? .warning : .good)
            return Detail(label: label, labelRole: .text, value: value.map(ValueFormat.number) ?? "-", valueRole: role)
        }
        let errors = named("errors")?.value
        let quota = named("quota")?.value
        // The quota's colours follow the proxy's default thresholds: cached answers from 90%, shedding from 95%.
        let quotaRole: ThemeRole = quota.map { used -> ThemeRole in
            used >= 0.95 ? .bad : (used >= 0.9 ? .warning : .good)
        } ?? .muted
        let errorsRole: ThemeRole = errors.map { share -> ThemeRole in
            share >= 0.1 ? .bad : (share > 0 ? .warning : .good)
        } ?? .muted
        var details = [
            Detail(
                label: "errors", labelRole: .text, value: errors.map(ValueFormat.percent) ?? "-",
                valueRole: errorsRole
            ),
            count("replays"),
            Detail(
                label: "quota", labelRole: .text, value: quota.map(ValueFormat.percent) ?? "-", valueRole: quotaRole,
                gauge: quota.map { min(1, max(0, $0)) } ?? 0, gaugeRole: quota == nil ? .gaugeFilled : quotaRole
            ),
            count("shed"),
        ]
        details += series.filter { !known.contains($0.label) }.map { other in
            Detail(
                label: other.label, labelRole: .text, value: other.value.map(ValueFormat.number) ?? "-",
                valueRole: other.value == nil ? .muted : .text
            )
        }
        return Content(
            value: requests?.value.map(ValueFormat.rate) ?? "no API calls yet",
            valueRole: requests?.value == nil ? .muted : .value,
            trend: requests?.trend, higherIsBetter: true,
            note: requests?.value == nil ? "" : "requests, \(range)",
            graph: requests?.points ?? [], graphMinimum: 0, graphMaximum: nil,
            details: details, inlineDetails: true
        )
    }

    /// The role of a panel's query error: the theme's role for failures.
    static let errorRole = ThemeRole.eventError

    /// good at 99% and above, warning from 90%, bad below.
    static func healthRole(_ rate: Double) -> ThemeRole {
        rate >= 0.99 ? .good : (rate >= 0.9 ? .warning : .bad)
    }
}
