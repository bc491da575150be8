import Foundation

/// One alert as handed to the notifiers: its state, identity and details at one evaluation.
///
/// The rule evaluator produces these; notifiers only format and deliver them. The same alert is
/// recognised across sends (and processes) by `fingerprint`, a hash of its labels.
public struct AlertNotification: Sendable, Hashable {
    /// Whether the alert is firing or has resolved.
    public struct Status: Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        private init(rawValue: String) { self.rawValue = rawValue }

        /// The alert's condition holds (after its `for`).
        public static let firing = Status(rawValue: "firing")
        /// The alert's condition stopped holding (after its `keep_firing_for`).
        public static let resolved = Status(rawValue: "resolved")

        public var description: String { self.rawValue }
    }

    public var status: Status
    /// The alert's identity; always has `alertname`, usually `severity`.
    public var labels: [String: String]
    /// Text for humans: `summary`, `description`, `runbook_url`, ...
    public var annotations: [String: String]
    /// When the alert started firing.
    public var startsAt: Date
    /// For a resolved alert, when it resolved; for a firing one, how long the alert stays valid
    /// without a re-send (Prometheus sends `now + 4 × max(resend delay, evaluation interval)`).
    public var endsAt: Date?
    /// A link back to the rule or expression that produced the alert.
    public var generatorURL: String?
    /// The expression's value when the alert was evaluated.
    public var value: Double?
    /// Whether this is a periodic re-send of an alert whose state did not change.
    ///
    /// Only notifiers whose `wantsResends` is true receive re-sends (Alertmanager needs them to keep
    /// an alert active; a chat channel does not want the same message every minute).
    public var isResend: Bool

    /// Creates a notification; `labels` should contain `alertname`.
    public init(
        status: Status,
        labels: [String: String],
        annotations: [String: String] = [:],
        startsAt: Date,
        endsAt: Date? = nil,
        generatorURL: String? = nil,
        value: Double? = nil,
        isResend: Bool = false
    ) {
        self.status = status
        self.labels = labels
        self.annotations = annotations
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.generatorURL = generatorURL
        self.value = value
        self.isResend = isResend
    }

    /// The `alertname` label, or `"unnamed"` if it is missing.
    public var alertName: String { self.labels["alertname"] ?? "unnamed" }

    /// The `severity` label, if any.
    public var severity: String? { self.labels["severity"] }

    /// A stable identity of the label set: 16 lower-case hex digits.
    ///
    /// FNV-1a 64 over the labels sorted by name, each written as the name's UTF-8 bytes, a `0xFF`
    /// byte, the value's UTF-8 bytes and a `0xFF` byte. This is the algorithm of Prometheus'
    /// `model.LabelSet.Fingerprint`, so it equals the `fingerprint` Alertmanager shows for the alert;
    /// the same labels give the same fingerprint in every process and on every platform.
    public var fingerprint: String { Self.fingerprint(of: self.labels) }

    /// The fingerprint of a label set; see `fingerprint`.
    public static func fingerprint(of labels: [String: String]) -> String {
        var hash: UInt64 = 14_695_981_039_346_656_037
        func add(_ byte: UInt8) {
            hash ^= UInt64(byte)
            hash &*= 1_099_511_628_211
        }
        for name in labels.keys.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }) {
            for byte in name.utf8 { add(byte) }
            add(0xFF)
            for byte in (labels[name] ?? "").utf8 { add(byte) }
            add(0xFF)
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
