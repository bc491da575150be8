/// The consumers view (`c`): which processes hold which provider's token. Exec'd tasks with their pid and age,
/// sinks with their last write, socket clients with their last request; each with its last hand-out's outcome
/// and error, never a token (a fingerprint at most).
///
/// It covers the space between the header and the footer; arrows select a row, `Enter` opens the selected
/// consumer's provider in the detail view.
enum ConsumersView {
    static func draw(
        snapshot: DashboardSnapshot,
        state: DashboardState,
        in rect: Rect,
        theme: Theme,
        ascii: Bool,
        into grid: inout CellGrid
    ) {
        let consumers = snapshot.consumers
        let counts = [ConsumerRow.Kind.exec, .sink, .socket].map { kind in
            "\(consumers.count { $0.kind == kind }) \(kind)"
        }
        Box.draw(
            rect, title: "Consumers: " + counts.joined(separator: ", "), border: theme[.borderFocused],
            titleStyle: theme[.title], fill: theme[.background], ascii: ascii, into: &grid
        )
        let inner = rect.inset(by: 1)
        guard inner.height >= 2, inner.width >= 20 else { return }
        let hint = "Esc/q/c close   \(ascii ? "down/up" : "↓/↑") select   Enter provider detail"
        grid.write(hint, x: inner.x + 1, y: inner.maxY - 1, style: theme[.muted], maxWidth: inner.width - 1)
        let table = Rect(x: inner.x, y: inner.y, width: inner.width, height: inner.height - 1)
        guard !consumers.isEmpty else {
            grid.write(
                "no consumers yet: exec'd tasks (oauthtop exec), sinks and socket clients appear here",
                x: table.x + 1, y: table.y, style: theme[.muted], maxWidth: table.width - 1
            )
            return
        }
        let now = snapshot.now
        let providerWidth = max(8, min(16, consumers.map(\.provider.count).max() ?? 0))
        // The token fingerprint only where the name keeps room.
        let showToken = table.width >= 100
        var columns = [
            Table.Column("kind", width: 6), Table.Column("provider", width: providerWidth),
            Table.Column("pid", width: 7, alignRight: true), Table.Column("age", width: 6, alignRight: true),
            Table.Column("last", width: 10, alignRight: true), Table.Column("outcome", width: 12),
        ]
        if showToken { columns.append(Table.Column("token", width: 8)) }
        columns.append(Table.Column("what", width: 0))
        let rows = consumers.map { consumer -> [Table.Entry] in
            var what = consumer.name
            if let requests = consumer.requests { what += " (\(requests) request\(requests == 1 ? "" : "s"))" }
            if let error = consumer.lastError { what += ": " + error }
            var row = [
                Table.Entry(consumer.kind.rawValue, .value),
                Table.Entry(consumer.provider.isEmpty ? "-" : consumer.provider, .eventProvider),
                Table.Entry(consumer.pid.map(String.init) ?? "-", .text),
                Table.Entry(consumer.since.map { ValueFormat.duration(Double(now - $0) / 1e9) } ?? "-", .muted),
                Table.Entry(consumer.lastAt.map { ValueFormat.duration(Double(now - $0) / 1e9) + " ago" } ?? "-",
                    .muted),
                Table.Entry(consumer.lastOutcome ?? "-", consumer.failed ? .bad : .good),
            ]
            if showToken { row.append(Table.Entry(consumer.tokenFingerprint ?? "-", .muted)) }
            row.append(Table.Entry(what, consumer.lastError == nil ? .text : .bad))
            return row
        }
        // Keep the selected row in view below the header row.
        let visible = max(1, table.height - 1)
        let first = max(0, state.selectedConsumer - visible + 1)
        Table.draw(
            columns: columns, rows: Array(rows.dropFirst(first)), in: table, header: true,
            selectedRow: state.selectedConsumer - first, theme: theme, into: &grid
        )
    }
}
