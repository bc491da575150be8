import Alerting
import Dashboard
import Foundation

extension AlertEvaluationService {
    /// The pending and firing alerts, firing first, as the dashboard lists them.
    public func alertRows() -> [AlertRow] {
        self.activeAlerts()
            .map(AlertRow.init)
            .sorted { ($0.state == .firing ? 0 : 1, $0.since) < ($1.state == .firing ? 0 : 1, $1.since) }
    }
}

extension AlertRow {
    /// The row of an active alert: its summary annotation (or description, or its labels and value).
    public init(_ alert: Alert) {
        self.init(
            name: alert.name,
            state: alert.state == .firing ? .firing : .pending,
            severity: alert.labels["severity"],
            since: (alert.firedAt ?? alert.activeAt) * 1_000_000,
            summary: alert.annotations["summary"] ?? alert.annotations["description"] ?? Self.describe(alert)
        )
    }

    private static func describe(_ alert: Alert) -> String {
        let labels = alert.labels.removing(["alertname", "severity"])
        let value =
            alert.value.isFinite && alert.value == alert.value.rounded()
            ? String(Int64(alert.value)) : String(format: "%.3g", alert.value)
        return labels.pairs.isEmpty ? "value \(value)" : "\(labels.description) value \(value)"
    }
}
