/// Something that holds a provider's token outside the manager: an exec'd task, a sink, a client of
/// the token socket. The dashboard and `oauthtop status` show them (which process holds which
/// provider's token, since when, and how its last hand-out went).
public struct Consumer: Sendable, Hashable {
    /// What kind of consumer; also the `consumer` label of `oauth_token_requests_total`.
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// A command run by `oauthtop exec`, reading its token file.
        public static let exec = Kind(rawValue: "exec")
        /// A token file the daemon keeps (`sinks:`).
        public static let sink = Kind(rawValue: "sink")
        /// A client of the local token socket.
        public static let socket = Kind(rawValue: "socket")

        public var description: String { self.rawValue }
    }

    /// Unique within a registry (a sink's path, `exec:PID`).
    public var id: String
    public var kind: Kind
    public var provider: String
    /// What a person recognises it by: the sink's path, the command.
    public var name: String
    /// The process, for exec'd tasks.
    public var pid: Int32?
    /// When it started holding tokens (Unix nanoseconds).
    public var since: Int64
    /// The last hand-out (a write, a request), Unix nanoseconds.
    public var lastAt: Int64?
    /// Its outcome (`success`, `token_unavailable`, `write_failed`).
    public var lastOutcome: String?
    /// The last failure's text (names paths or providers, never a token).
    public var lastError: String?
    /// The fingerprint of the token it holds.
    public var tokenFingerprint: String?
    /// When the token it holds expires (Unix nanoseconds).
    public var tokenExpiresAt: Int64?
    /// How a socket client connects: `unix` or `tcp`.
    public var transport: String?
    /// A Unix socket client's user (`SO_PEERCRED`).
    public var uid: UInt32?
    /// How many requests a socket client made.
    public var requests: Int?

    public init(id: String, kind: Kind, provider: String, name: String, pid: Int32? = nil, since: Int64) {
        self.id = id
        self.kind = kind
        self.provider = provider
        self.name = name
        self.pid = pid
        self.since = since
    }

    /// Records a token file attempt: its time and outcome, and on success the token it now holds.
    public mutating func record(_ write: TokenFileWrite) {
        self.lastAt = write.at
        self.lastOutcome = write.outcome.rawValue
        if write.outcome == .success {
            self.lastError = nil
            self.tokenFingerprint = write.tokenFingerprint
            self.tokenExpiresAt = write.expiresAt
        } else {
            self.lastError = write.error
        }
    }
}
