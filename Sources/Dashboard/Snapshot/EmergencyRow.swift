/// A provider in emergency mode, as the dashboard shows it: no method (OAuth, then each fallback entry) gives
/// it a token. The header and the provider's rows turn to the theme's ``ThemeRole/critical`` role, and the
/// detail view lists what was tried.
public struct EmergencyRow: Sendable, Hashable, Codable {
    /// One method tried and why it gave no token; nothing in it is a secret (entries are named by fingerprint).
    public struct Attempt: Sendable, Hashable, Codable {
        /// `oauth`, or the fallback entry's method (`alternate_provider`, `emergency_key`, ...).
        public var method: String
        /// The entry, named without a secret: `OAuth`, `alternate provider 'x'`, `emergency key secret(sha256:…)`.
        public var entry: String
        /// A short bounded code: `breaker_open`, `invalid_grant`, `alternate_failed`, `not_approved`, ...
        public var reason: String
        /// Why, in words.
        public var detail: String

        public init(method: String, entry: String, reason: String, detail: String) {
            self.method = method
            self.entry = entry
            self.reason = reason
            self.detail = detail
        }

        /// `entry (reason): detail`, as `oauthtop status`, `token` and `exec` print it.
        public var summary: String { "\(self.entry) (\(self.reason)): \(self.detail)" }
    }

    /// When the outage's emergency began (Unix nanoseconds); 0 when unknown (a fleet view from Prometheus,
    /// which keeps only the gauge).
    public var since: Int64
    /// What was tried the last time a token was asked for, OAuth first; empty when unknown.
    public var tried: [Attempt]

    public init(since: Int64, tried: [Attempt]) {
        self.since = since
        self.tried = tried
    }
}
