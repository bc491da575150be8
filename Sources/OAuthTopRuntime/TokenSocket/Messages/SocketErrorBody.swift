import Dashboard

/// The body of every error answer of the socket: `{"error": CODE, "message": TEXT}`, where CODE is
/// short and bounded (`unknown_provider`, `refresh_failed`, `forbidden`, ...) and TEXT says what was
/// wrong, never with a secret.
///
/// A `refresh_failed` answer for a provider in emergency mode (no method gives it a token: OAuth and every
/// fallback entry failed) also says so and lists what was tried, OAuth first:
/// `{"error": "refresh_failed", "emergency": true, "provider": "github", "message": ..., "tried":
/// [{"method": "oauth", "entry": "OAuth", "reason": "breaker_open", "detail": ...}, ...]}`.
public struct SocketErrorBody: Sendable, Hashable, Codable {
    public var error: String
    public var message: String
    /// `true` when the provider is in emergency mode; absent otherwise.
    public var emergency: Bool?
    /// The provider in emergency mode.
    public var provider: String?
    /// Each method tried and why it gave no token, OAuth first (emergency answers only).
    public var tried: [EmergencyRow.Attempt]?

    public init(
        error: String, message: String, emergency: Bool? = nil, provider: String? = nil,
        tried: [EmergencyRow.Attempt]? = nil
    ) {
        self.error = error
        self.message = message
        self.emergency = emergency
        self.provider = provider
        self.tried = tried
    }

    /// Whether the answer says the provider is in emergency mode.
    public var isEmergency: Bool { self.emergency == true }

    /// TEXT, or for an emergency answer a line saying so and one line per method tried:
    /// `  1) OAuth (breaker_open): detail`.
    public var explanation: String {
        guard self.isEmergency, let tried, !tried.isEmpty else { return self.message }
        let lines = tried.enumerated().map { "  \($0.offset + 1)) \($0.element.summary)" }
        return (["\(self.provider ?? "the provider") is in emergency mode, no method gives a token; tried:"] + lines)
            .joined(separator: "\n")
    }
}
