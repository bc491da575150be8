import Alerting
import Foundation
import TokenManager

/// The alerts of every rule group saved across a restart of the daemon (`alerts.json` in the state
/// directory, written atomically with mode 0600), so that `for` clocks survive and a firing alert is not
/// announced again, as Prometheus restores its alerts' `for` state.
struct AlertStateFile: Codable, Sendable {
    struct SavedAlert: Codable, Sendable {
        var labels: [String: String]
        var annotations: [String: String]
        var state: AlertState
        var value: Double?
        var activeAt: Int64
        var firedAt: Int64?
        var resolvedAt: Int64?
        var lastSentAt: Int64?
        var lastSentState: AlertState?
        var keepFiringSince: Int64?
        var validUntil: Int64?
        var action: String?
    }

    struct SavedGroup: Codable, Sendable {
        var name: String
        var file: String
        var alerts: [SavedAlert]
    }

    /// How old saved alerts may be and still be restored (Prometheus's `for` outage tolerance).
    static let outageTolerance: Int64 = 3_600_000

    var version = 1
    /// When the file was written, milliseconds since the epoch.
    var savedAt: Int64
    var groups: [SavedGroup]

    init(savedAt: Int64, groups: [RuleGroupState]) {
        self.savedAt = savedAt
        self.groups = groups.map { state in
            SavedGroup(
                name: state.group.name,
                file: state.group.file,
                alerts: state.allAlerts.map { alert in
                    SavedAlert(
                        labels: alert.labels.dictionary,
                        annotations: alert.annotations,
                        state: alert.state,
                        value: alert.value.isFinite ? alert.value : nil,
                        activeAt: alert.activeAt,
                        firedAt: alert.firedAt,
                        resolvedAt: alert.resolvedAt,
                        lastSentAt: alert.lastSentAt,
                        lastSentState: alert.lastSentState,
                        keepFiringSince: alert.keepFiringSince,
                        validUntil: alert.validUntil,
                        action: alert.action
                    )
                }
            )
        }
    }

    /// The saved alerts of a group (matched by name and file), as alerts.
    func alerts(for group: RuleGroup) -> [Alert] {
        guard let saved = self.groups.first(where: { $0.name == group.name && $0.file == group.file }) else {
            return []
        }
        return saved.alerts.map { item in
            var alert = Alert(
                labels: Labels(item.labels),
                annotations: item.annotations,
                state: item.state,
                value: item.value ?? .nan,
                activeAt: item.activeAt,
                firedAt: item.firedAt,
                resolvedAt: item.resolvedAt,
                validUntil: item.validUntil,
                action: item.action
            )
            alert.lastSentAt = item.lastSentAt
            alert.lastSentState = item.lastSentState
            alert.keepFiringSince = item.keepFiringSince
            return alert
        }
    }

    /// Reads the file; `nil` when it is missing, unreadable, of another version, or older than the
    /// outage tolerance at `now` (the caller logs why).
    static func load(path: String, now: Int64) -> (file: AlertStateFile?, problem: String?) {
        guard let data = FileManager.default.contents(atPath: path) else { return (nil, nil) }
        guard let file = try? JSONDecoder().decode(AlertStateFile.self, from: data), file.version == 1 else {
            return (nil, "unreadable alert state \(path); starting without it")
        }
        guard now - file.savedAt <= Self.outageTolerance else {
            return (nil, "alert state \(path) is older than an hour; starting without it")
        }
        return (file, nil)
    }

    /// Writes the file atomically with mode 0600.
    func save(path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try AtomicFile.write(Array(try encoder.encode(self)), to: path)
    }
}
