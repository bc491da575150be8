/// A program that approves an emergency key's use: exit status 0 approves, anything else refuses.
///
/// It is asked once per outage, when the chain first reaches the key, and its decision stands until
/// OAuth recovers (a refusal too: a person who said no is not asked again on every call). Callers do
/// not wait for it: while it runs, the key is refused with `approval_pending` and the caller gets
/// the next entry's credential or the chain's error, so a command that asks a human (a chat message,
/// a page) may take its time, up to ``timeout``, after which it is killed and counts as a refusal.
///
/// It runs without a shell, with stdin from `/dev/null`, in a process group of its own, and with only
/// this environment (nothing of oauthtop's, which may hold secrets): `PATH`, `HOME`, `USER`, `LANG`,
/// `TZ` when set, and
/// - `OAUTHTOP_PROVIDER`: the provider's name;
/// - `OAUTHTOP_REASON`: the OAuth error's short reason (`breaker_open`, `invalid_grant`, ...);
/// - `OAUTHTOP_ERROR`: the OAuth error's message (no secrets; at most 1000 characters);
/// - `OAUTHTOP_DURATION_SECONDS`: the key's time limit for this outage (`max_duration`), in seconds;
/// - `OAUTHTOP_ENTRY`: the entry's position in the chain (1-based);
/// - `OAUTHTOP_KEY_SHA256`: the key's fingerprint (never the key).
/// Its output is not shown, except the first line of a refusal (200 characters at most).
public struct ApprovalCommand: Sendable, Hashable, CustomStringConvertible {
    /// The program's absolute path, then its arguments.
    public var argv: [String]
    /// How long it may take to decide.
    public var timeout: Duration

    /// Five minutes: long enough for a person to answer a message, short enough to not forget it.
    public static let defaultTimeout: Duration = .seconds(300)

    public init(_ argv: [String], timeout: Duration = ApprovalCommand.defaultTimeout) {
        self.argv = argv
        self.timeout = timeout
    }

    /// The program's path.
    public var description: String { "approval command '\(self.argv.first ?? "")'" }
}
