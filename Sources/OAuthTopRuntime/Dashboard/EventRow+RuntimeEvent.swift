import Dashboard
import TokenManager

extension EventRow {
    /// The row for an event of the token manager or the alert evaluation.
    public init(_ event: RuntimeEvent) {
        switch event {
        case .token(let event): self.init(event)
        case .alert(let event): self.init(event)
        }
    }

    /// The row for a token event: failures, an opening breaker, the emergency key, a refused fallback and
    /// emergency mode are drawn as errors.
    public init(_ event: TokenEvent) {
        var isError = Self.failures.contains(event.kind)
        if event.kind == .breakerTransition, case .string(BreakerState.open.rawValue)? = event["to"] { isError = true }
        self.init(
            time: event.timestamp,
            provider: event.provider,
            kind: event.kind.rawValue,
            text: Self.text(event.fields),
            isError: isError
        )
    }

    /// The row for an alert event: a firing alert and a failed rule are drawn as errors.
    public init(_ event: AlertEvent) {
        self.init(
            time: event.timestamp,
            provider: event.provider,
            kind: event.kind.rawValue,
            text: Self.text(event.fields),
            isError: event.kind.isAlarming
        )
    }

    /// Token event kinds drawn in the error style.
    static let failures: Set<TokenEvent.Kind> = [
        .attemptFailed, .refreshFailed, .tokenExpired, .storeCorrupt, .emergencyKeyUsed, .fallbackRefused,
        .tokenRejected, .emergency,
    ]

    /// The event fields shown, in this order; anything else is left out.
    /// The most telling ones come first, since narrow terminals cut the end of the line.
    static let shownFields = [
        "alertname", "severity", "method", "uses", "outcome", "reason", "check", "source", "oauth_reason", "methods",
        "recovered_by", "status", "retry_after_ms", "backoff_ms",
        "expires_in_s", "duration_ms", "attempt", "final", "endpoint", "rule",
    ]

    private static func text(_ fields: [(key: String, value: TokenEvent.Value)]) -> String {
        var parts: [String] = []
        func field(_ key: String) -> TokenEvent.Value? { fields.first { $0.key == key }?.value }
        if case .string(let from)? = field("from"), case .string(let to)? = field("to") {
            parts.append("\(from) -> \(to)")
        }
        for key in Self.shownFields {
            guard let value = field(key) else { continue }
            parts.append("\(key)=\(Self.format(value))")
        }
        return parts.joined(separator: " ")
    }

    private static func format(_ value: TokenEvent.Value) -> String {
        switch value {
        case .string(let text): return String(text.prefix(40))
        case .int(let number): return String(number)
        case .double(let number): return ValueFormat.number(number)
        case .bool(let flag): return flag ? "true" : "false"
        }
    }
}
