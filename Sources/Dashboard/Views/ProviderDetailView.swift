/// The detail view of one provider (`Enter`), as k9s describes a resource: emergency mode with what was tried
/// (while no method gives a token), its token (fingerprint, issued, advisory, mandatory and expiry times),
/// circuit breaker and its history, fallback chain, endpoints with their recent outcomes, the last error in
/// full, and the consumers of its token.
///
/// It covers the space between the header and the footer. Two columns side by side; each section is cut at the
/// bottom when the terminal is short.
enum ProviderDetailView {
    /// The most breaker transitions listed.
    static let breakerHistoryShown = 4
    /// The most outcomes shown per endpoint.
    static let outcomesShown = 12

    static func draw(
        snapshot: DashboardSnapshot,
        state: DashboardState,
        in rect: Rect,
        theme: Theme,
        ascii: Bool,
        into grid: inout CellGrid
    ) {
        guard snapshot.providers.indices.contains(state.selectedProvider) else { return }
        let row = snapshot.providers[state.selectedProvider]
        let dash = ascii ? "-" : "—"
        let position = "\(state.selectedProvider + 1)/\(snapshot.providers.count)"
        Box.draw(
            rect, title: "Provider \(row.name) \(dash) \(row.phase) \(dash) \(position)",
            border: theme[.borderFocused], titleStyle: theme[.title], fill: theme[.background], ascii: ascii,
            into: &grid
        )
        let inner = rect.inset(by: 1)
        guard inner.height >= 2, inner.width >= 20 else { return }
        let hint = "Esc/q/Enter close   \(ascii ? "down/up" : "↓/↑") provider   r refresh   c consumers"
        grid.write(hint, x: inner.x + 1, y: inner.maxY - 1, style: theme[.muted], maxWidth: inner.width - 1)
        let body = Rect(x: inner.x, y: inner.y, width: inner.width, height: inner.height - 1)
        let leftWidth = (body.width - 1) / 2
        let left = Rect(x: body.x, y: body.y, width: leftWidth, height: body.height)
        let right = Rect(x: body.x + leftWidth + 1, y: body.y, width: body.width - leftWidth - 1, height: body.height)
        for y in body.y..<body.maxY {
            grid.put(ascii ? "|" : "│", x: left.maxX, y: y, style: theme[.border])
        }
        let now = snapshot.now
        let offset = snapshot.utcOffsetSeconds
        let leftLines = self.emergencyLines(row, now: now, width: left.width)
            + self.tokenLines(row, now: now, offset: offset)
            + self.breakerLines(row, now: now, offset: offset, ascii: ascii)
            + self.fallbackLines(row)
        let rightLines = self.endpointLines(row, now: now, width: right.width, ascii: ascii)
            + self.errorLines(row, width: right.width)
            + self.consumerLines(snapshot.consumers(of: row.name), now: now)
        for (lines, column) in [(leftLines, left), (rightLines, right)] {
            for (index, line) in lines.enumerated() where index < column.height {
                line.draw(x: column.x + 1, y: column.y + index, maxX: column.maxX, theme: theme, into: &grid)
            }
        }
    }

    // MARK: - Sections

    /// Emergency mode, first so it is never cut: since when, and each method tried with why it gave no token.
    static func emergencyLines(_ row: ProviderRow, now: Int64, width: Int) -> [StyledLine] {
        guard let emergency = row.emergency else { return [] }
        var head = StyledLine(" EMERGENCY: no method gives a token ", .critical)
        if emergency.since > 0 { head.append(" since " + self.relative(emergency.since, now: now), .muted) }
        var lines = [head]
        if emergency.tried.isEmpty { lines.append(StyledLine("  what was tried is not known here", .muted)) }
        for (index, attempt) in emergency.tried.enumerated() {
            var line = StyledLine("  \(index + 1)) ", .muted)
            line.append(attempt.entry, .text)
            line.append(" " + attempt.reason, .bad)
            lines.append(line)
            let detail = StyledLine.wrap(attempt.detail, width: max(1, width - 6)).prefix(2)
            lines += detail.map { StyledLine("     " + $0, .muted) }
        }
        return lines
    }

    static func tokenLines(_ row: ProviderRow, now: Int64, offset: Int) -> [StyledLine] {
        var lines = [StyledLine("Token", .title)]
        guard let fingerprint = row.tokenFingerprint else {
            lines.append(.field("token", "none yet", .warning))
            return lines + self.roundLines(row, now: now, offset: offset)
        }
        lines.append(.field("fingerprint", "sha256:" + fingerprint))
        lines.append(.field("phase", row.phase.rawValue, self.role(of: row.phase)))
        func time(_ label: String, _ at: Int64?, _ role: ThemeRole = .value) {
            guard let at else { return }
            var line = StyledLine.field(label, ValueFormat.clock(at, utcOffsetSeconds: offset), role)
            line.append("  " + self.relative(at, now: now), .muted)
            lines.append(line)
        }
        time("issued", row.issuedAt)
        time("advisory", row.advisoryAt, now >= (row.advisoryAt ?? .max) ? .warning : .value)
        time("mandatory", row.mandatoryAt, now >= (row.mandatoryAt ?? .max) ? .bad : .value)
        time("expires", row.expiresAt, now >= (row.expiresAt ?? .max) ? .bad : .value)
        if let lifetime = row.lifetimeSeconds {
            var line = StyledLine.field("lifetime", ValueFormat.duration(lifetime))
            if let skew = row.skewSeconds {
                line.append("  skew " + (skew >= 0 ? "+" : "") + ValueFormat.number((skew * 10).rounded() / 10) + "s",
                    abs(skew) >= 5 ? .warning : .muted)
            }
            lines.append(line)
        }
        return lines + self.roundLines(row, now: now, offset: offset)
    }

    private static func roundLines(_ row: ProviderRow, now: Int64, offset: Int) -> [StyledLine] {
        var line = StyledLine.field("rounds", "\(row.rounds)")
        line.append(", \(row.failedRounds) failed", row.failedRounds > 0 ? .warning : .muted)
        if row.refreshing { line.append(", refreshing", .good) }
        var lines = [line]
        if let success = row.lastSuccessAt {
            var last = StyledLine.field("last ok", ValueFormat.clock(success, utcOffsetSeconds: offset))
            last.append("  " + self.relative(success, now: now), .muted)
            lines.append(last)
        }
        if let lock = row.fleetLock {
            var held = StyledLine.field("fleet lock", "\(lock.instanceID) on \(lock.host)", .warning)
            held.append("  since " + self.relative(lock.since, now: now), .muted)
            lines.append(held)
        }
        if row.needsIntervention { lines.append(.field("action", "needs intervention (r retries)", .bad)) }
        return lines
    }

    static func breakerLines(_ row: ProviderRow, now: Int64, offset: Int, ascii: Bool) -> [StyledLine] {
        let badge = Badge.breaker(row.breaker)
        var head = StyledLine([("Breaker ", .title), (badge.text, badge.role)])
        if let duration = row.breakerDuration(now: now) { head.append(" for " + duration, .muted) }
        head.append(", \(row.consecutiveFailures) failed in a row", row.consecutiveFailures > 0 ? .warning : .muted)
        var lines = [head]
        let arrow = ascii ? "->" : "→"
        for change in row.breakerHistory.suffix(self.breakerHistoryShown) {
            lines.append(
                StyledLine([
                    ("  " + ValueFormat.clock(change.time, utcOffsetSeconds: offset) + " ", .eventTime),
                    (change.from.rawValue + " " + arrow + " ", .muted),
                    (change.to.rawValue, change.to == .open ? .bad : (change.to == .halfOpen ? .warning : .good)),
                ])
            )
        }
        if row.breakerHistory.isEmpty { lines.append(StyledLine("  no transitions seen", .muted)) }
        return lines
    }

    static func fallbackLines(_ row: ProviderRow) -> [StyledLine] {
        var lines = [StyledLine("Fallback", .title)]
        guard !row.fallbackChain.isEmpty || row.fallbackInUse != nil else {
            lines.append(StyledLine("  no fallback chain", .muted))
            return lines
        }
        lines.append(.field("chain", row.fallbackChain.isEmpty ? "-" : row.fallbackChain.joined(separator: ", ")))
        lines.append(.field("in use", row.fallbackInUse ?? "no (OAuth)", row.fallbackInUse == nil ? .good : .bad))
        return lines
    }

    static func endpointLines(_ row: ProviderRow, now: Int64, width: Int, ascii: Bool) -> [StyledLine] {
        var lines = [StyledLine("Endpoints", .title)]
        if row.endpoints.isEmpty { lines.append(StyledLine("  none known", .muted)) }
        for endpoint in row.endpoints {
            let current = endpoint.url == row.endpoint
            // Two spaces before, " *" after, one column of margin.
            var line = StyledLine("  " + self.clip(endpoint.url, width - 5, ascii: ascii), current ? .value : .text)
            if current { line.append(" *", .good) }
            lines.append(line)
            var outcomes = StyledLine("    ", .muted)
            for outcome in endpoint.outcomes.suffix(self.outcomesShown) {
                outcomes.append(outcome.succeeded ? (ascii ? "+" : "✓") : (ascii ? "x" : "✗"),
                    outcome.succeeded ? .good : .bad)
            }
            if let last = endpoint.outcomes.last {
                let what = last.succeeded
                    ? "ok" + (last.durationMilliseconds.map { " " + ValueFormat.latency($0 / 1000, ascii: ascii) } ?? "")
                    : last.code
                outcomes.append(" last " + what + ", " + self.relative(last.time, now: now), .muted)
            } else {
                outcomes.append("no requests yet", .muted)
            }
            lines.append(outcomes)
        }
        return lines
    }

    static func errorLines(_ row: ProviderRow, width: Int) -> [StyledLine] {
        guard let error = row.lastError, !error.isEmpty else {
            return [StyledLine("Last error", .title), StyledLine("  none", .muted)]
        }
        return [StyledLine("Last error", .title)]
            + StyledLine.wrap(error, width: max(1, width - 3)).prefix(6).map { StyledLine("  " + $0, .bad) }
    }

    static func consumerLines(_ consumers: [ConsumerRow], now: Int64) -> [StyledLine] {
        var lines = [StyledLine("Consumers (\(consumers.count))", .title)]
        if consumers.isEmpty { lines.append(StyledLine("  none: no exec'd task, sink or socket client", .muted)) }
        for consumer in consumers {
            var line = StyledLine("  " + consumer.kind.rawValue.padded(to: 6), .value)
            line.append(consumer.name, .text)
            lines.append(line)
            var last = StyledLine("        ", .muted)
            if let pid = consumer.pid { last.append("pid \(pid), ", .text) }
            if let at = consumer.lastAt {
                last.append((consumer.kind == .socket ? "asked " : "written ") + self.relative(at, now: now), .muted)
                if let outcome = consumer.lastOutcome { last.append(": " + outcome, consumer.failed ? .bad : .good) }
                if let requests = consumer.requests { last.append(", \(requests) requests", .muted) }
            } else {
                last.append("no hand-out yet", .muted)
            }
            if let since = consumer.since { last.append(", since " + self.relative(since, now: now), .muted) }
            lines.append(last)
        }
        return lines
    }

    // MARK: - Formatting

    /// `in 26m`, `13m ago`, `now`.
    static func relative(_ at: Int64, now: Int64) -> String {
        let seconds = Double(at - now) / 1e9
        if abs(seconds) < 1 { return "now" }
        return seconds > 0 ? "in " + ValueFormat.duration(seconds) : ValueFormat.duration(-seconds) + " ago"
    }

    static func role(of phase: ProviderRow.Phase) -> ThemeRole {
        switch phase {
        case .fresh: .good
        case .advisory: .warning
        default: .bad
        }
    }

    /// `text` cut to `width` characters, ending in `…` (`~` in ASCII) when cut.
    static func clip(_ text: String, _ width: Int, ascii: Bool) -> String {
        guard width > 1, text.count > width else { return text }
        return String(text.prefix(width - 1)) + (ascii ? "~" : "…")
    }
}

extension String {
    /// The string padded with spaces to `width` characters (unchanged when longer).
    func padded(to width: Int) -> String {
        self.count >= width ? self + " " : self + String(repeating: " ", count: width - self.count)
    }
}
