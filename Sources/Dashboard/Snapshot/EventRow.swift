/// One line of the recent-events log.
///
/// The program builds it with only known, harmless fields in the text (alert names, fallback methods,
/// endpoint, status, reason, durations, breaker states), so no token, secret or fingerprint reaches the
/// screen.
public struct EventRow: Sendable, Hashable, Codable {
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
}
