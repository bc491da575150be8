import TokenManager

/// One line of the recent-events log, built from a ``TokenEvent``.
///
/// Only known, harmless fields make it into the text (alert names, fallback methods, endpoint, status, reason,
/// durations, breaker states),
/// so no token, secret or fingerprint reaches the screen.
public struct EventRow: Sendable, Hashable {
    /// When it happened (Unix nanoseconds).
    public var time: Int64
    public var provider: String
    /// The event kind, e.g. `refresh_succeeded`.
    public var kind: String
    /// A short description.
    public var text: String
    /// Whether it reports a failure (drawn in the error style).
    public var isError: Bool

    /// Creates a row.
    public init(time: Int64, provider: String, kind: String, text: String, isError: Bool = false) {
        self.time = time
        self.provider = provider
        self.kind = kind
        self.text = text
        self.isError = isError
    }

    /// The row for a token event.
    public init(_ event: TokenEvent) {
        var parts: [String] = []
        if case .string(let from)? = event["from"], case .string(let to)? = event["to"] {
            parts.append("\(from) -> \(to)")
        }
        for key in Self.shownFields {
            guard let value = event[key] else { continue }
            parts.append("\(key)=\(Self.format(value))")
        }
        let failures: Set<TokenEvent.Kind> = [.attemptFailed, .refreshFailed, .tokenExpired, .storeCorrupt]
        var isError = failures.contains(event.kind)
        if event.kind == .breakerTransition, case .string("open")? = event["to"] { isError = true }
        if Self.alarming.contains(event.kind.rawValue) { isError = true }
        self.init(
            time: event.timestamp,
            provider: event.provider,
            kind: event.kind.rawValue,
            text: parts.joined(separator: " "),
            isError: isError
        )
    }

    /// The event fields shown, in this order; anything else is left out.
    /// The most telling ones come first, since narrow terminals cut the end of the line.
    static let shownFields = [
        "alertname", "severity", "method", "uses", "outcome", "reason", "status", "retry_after_ms", "backoff_ms",
        "expires_in_s", "duration_ms", "attempt", "final", "endpoint", "rule",
    ]

    /// Kinds from the other layers (alerts, the fallback chain) drawn in the error style.
    static let alarming: Set<String> = ["alert_firing", "emergency_key_used", "fallback_refused", "rule_failed"]

    private static func format(_ value: TokenEvent.Value) -> String {
        switch value {
        case .string(let text): return String(text.prefix(40))
        case .int(let number): return String(number)
        case .double(let number): return ValueFormat.number(number)
        case .bool(let flag): return flag ? "true" : "false"
        }
    }
}
