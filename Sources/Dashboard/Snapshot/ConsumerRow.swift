/// One process or file that holds a provider's token outside the manager, as the consumers view and a
/// provider's detail view show it: an exec'd task, a sink, a client of the token socket.
///
/// Never a token: at most its fingerprint. Every field but ``kind`` and ``name`` decodes when absent, so that
/// a snapshot from another version of oauthtop still reads.
public struct ConsumerRow: Sendable, Hashable, Codable {
    /// What kind of consumer it is.
    public struct Kind: Sendable, Hashable, Codable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// A command run by `oauthtop exec`, reading its token file.
        public static let exec = Kind(rawValue: "exec")
        /// A token file the daemon keeps (`sinks:`).
        public static let sink = Kind(rawValue: "sink")
        /// A client of the local token socket.
        public static let socket = Kind(rawValue: "socket")

        public init(from decoder: any Decoder) throws {
            self.rawValue = try decoder.singleValueContainer().decode(String.self)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(self.rawValue)
        }

        public var description: String { self.rawValue }
    }

    public var kind: Kind
    /// The provider whose token it holds (a socket client: the one it last asked about); empty when unknown.
    public var provider: String
    /// What a person recognises it by: the command, the sink's path, the socket's transport.
    public var name: String
    /// The process, when known (exec'd tasks, Unix socket clients).
    public var pid: Int32?
    /// When it started holding tokens, or was first seen (Unix nanoseconds).
    public var since: Int64?
    /// Its last hand-out: a token file write, a socket request (Unix nanoseconds).
    public var lastAt: Int64?
    /// The last hand-out's outcome, e.g. `success`, `write_failed`.
    public var lastOutcome: String?
    /// The last failure's text (names paths or providers, never a token).
    public var lastError: String?
    /// The fingerprint of the token it holds (first 8 hex of its SHA-256).
    public var tokenFingerprint: String?
    /// How many requests it made (socket clients).
    public var requests: Int?

    /// Creates a row.
    public init(
        kind: Kind,
        provider: String,
        name: String,
        pid: Int32? = nil,
        since: Int64? = nil,
        lastAt: Int64? = nil,
        lastOutcome: String? = nil,
        lastError: String? = nil,
        tokenFingerprint: String? = nil,
        requests: Int? = nil
    ) {
        self.kind = kind
        self.provider = provider
        self.name = name
        self.pid = pid
        self.since = since
        self.lastAt = lastAt
        self.lastOutcome = lastOutcome
        self.lastError = lastError
        self.tokenFingerprint = tokenFingerprint
        self.requests = requests
    }

    enum CodingKeys: String, CodingKey {
        case kind, provider, name, pid, since, lastAt, lastOutcome, lastError, tokenFingerprint, requests
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.kind = try container.decode(Kind.self, forKey: .kind)
        self.provider = try container.decodeIfPresent(String.self, forKey: .provider) ?? ""
        self.name = try container.decodeIfPresent(String.self, forKey: .name) ?? ""
        self.pid = try container.decodeIfPresent(Int32.self, forKey: .pid)
        self.since = try container.decodeIfPresent(Int64.self, forKey: .since)
        self.lastAt = try container.decodeIfPresent(Int64.self, forKey: .lastAt)
        self.lastOutcome = try container.decodeIfPresent(String.self, forKey: .lastOutcome)
        self.lastError = try container.decodeIfPresent(String.self, forKey: .lastError)
        self.tokenFingerprint = try container.decodeIfPresent(String.self, forKey: .tokenFingerprint)
        self.requests = try container.decodeIfPresent(Int.self, forKey: .requests)
    }

    /// Whether its last hand-out failed.
    public var failed: Bool {
        self.lastError != nil || (self.lastOutcome.map { $0 != "success" && $0 != "ok" } ?? false)
    }
}
