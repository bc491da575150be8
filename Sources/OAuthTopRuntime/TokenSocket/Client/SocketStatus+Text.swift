import Foundation

/// The text forms `oauthtop status` and `oauthtop refresh` print.
extension SocketStatus {
    /// A table of the providers, then the alerts and consumers, for a terminal.
    public var text: String {
        var lines = [
            "oauthtop daemon pid \(self.daemon.pid) (uid \(self.daemon.uid)), started \(self.daemon.startedAt), "
                + "socket \(self.daemon.socket)",
            "",
        ]
        let header = ["PROVIDER", "PHASE", "EXPIRES IN", "BREAKER", "FALLBACK", "REFRESHING", "LAST ERROR"]
        let rows = self.providers.map { provider in
            [
                provider.name,
                provider.needsIntervention ? "\(provider.phase) (needs intervention)" : provider.phase,
                provider.expiresIn.map(Self.duration) ?? "-",
                provider.breaker,
                provider.fallbackInUse ?? "-",
                provider.refreshing ? "yes" : "no",
                provider.lastError.map { $0.count > 80 ? String($0.prefix(77)) + "..." : $0 } ?? "-",
            ]
        }
        lines += Self.table([header] + rows)
        for provider in self.providers {
            guard let emergency = provider.emergency else { continue }
            lines += ["", "EMERGENCY \(provider.name): no method gives a token since \(emergency.since); tried:"]
            lines += emergency.tried.enumerated().map { index, attempt in
                "  \(index + 1)) \(attempt.summary)"
            }
        }
        let locks = self.providers.compactMap { provider in
            provider.fleetLock.map { "  \(provider.name): \($0.instanceID) on \($0.host) since \($0.since)" }
        }
        if !locks.isEmpty { lines += ["", "FLEET LOCKS (Redis coordination)"] + locks }
        lines.append("")
        if self.alerts.isEmpty {
            lines.append("ALERTS: none pending or firing")
        } else {
            lines.append("ALERTS")
            lines += Self.table(
                self.alerts.map { ["  " + $0.state, $0.severity, $0.name, "since " + $0.since, $0.summary] }
            )
        }
        lines.append("")
        if self.consumers.isEmpty {
            lines.append("CONSUMERS: none yet")
        } else {
            lines.append("CONSUMERS")
            lines += Self.table(
                self.consumers.map { consumer in
                    [
                        "  " + consumer.kind + "/" + consumer.transport,
                        consumer.pid.map { "pid \($0)" } ?? consumer.name ?? "-",
                        consumer.uid.map { "uid \($0)" } ?? "-",
                        consumer.kind == "sink" ? "-" : "\(consumer.requests) request\(consumer.requests == 1 ? "" : "s")",
                        "last " + consumer.lastRequestAt,
                        consumer.lastProvider ?? "-",
                    ]
                }
            )
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `54m12s`, `2h03m`, `-12s` (expired).
    static func duration(_ seconds: Int64) -> String {
        let sign = seconds < 0 ? "-" : ""
        let value = seconds.magnitude
        if value >= 3600 { return sign + "\(value / 3600)h" + String(format: "%02dm", Int(value % 3600 / 60)) }
        if value >= 60 { return sign + "\(value / 60)m" + String(format: "%02ds", Int(value % 60)) }
        return sign + "\(value)s"
    }

    /// Left-aligned columns two spaces apart.
    static func table(_ rows: [[String]]) -> [String] {
        let widths = rows.reduce(into: [Int]()) { widths, row in
            for (index, cell) in row.enumerated() {
                if index >= widths.count { widths.append(0) }
                widths[index] = max(widths[index], cell.count)
            }
        }
        return rows.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
    }
}

extension SocketRefreshOutcome {
    /// One line per provider: `github: refreshed, token sha256:1a2b3c4d, expires 2026-...Z (in 59m59s)`.
    public var text: String {
        self.results.map { result in
            if result.outcome == Result.refreshed {
                let expiry = result.expiresAt.map { ", expires \($0)" } ?? ""
                let left = result.expiresIn.map { " (in \(SocketStatus.duration($0)))" } ?? ""
                return "\(result.provider): refreshed, token sha256:\(result.tokenFingerprint ?? "-")\(expiry)\(left)"
            }
            return "\(result.provider): failed (\(result.reason ?? "error")): \(result.error ?? "no detail")"
        }.joined(separator: "\n") + "\n"
    }
}
