import Dashboard

/// The answer of `GET /v1/status` and what `oauthtop status --json` prints: the daemon, its
/// providers, the pending and firing alerts, and the consumers the socket has seen. Free of secrets
/// (tokens appear as fingerprints).
public struct SocketStatus: Sendable, Hashable, Codable {
    public var daemon: Daemon
    public var providers: [Provider]
    public var alerts: [Alert]
    public var consumers: [Consumer]

    public init(daemon: Daemon, providers: [Provider], alerts: [Alert], consumers: [Consumer]) {
        self.daemon = daemon
        self.providers = providers
        self.alerts = alerts
        self.consumers = consumers
    }

    /// The daemon answering.
    public struct Daemon: Sendable, Hashable, Codable {
        public var pid: Int32
        public var uid: UInt32
        /// When it started, RFC 3339.
        public var startedAt: String
        /// The Unix socket's path.
        public var socket: String

        public init(pid: Int32, uid: UInt32, startedAt: String, socket: String) {
            self.pid = pid
            self.uid = uid
            self.startedAt = startedAt
            self.socket = socket
        }

        enum CodingKeys: String, CodingKey {
            case pid, uid, socket
            case startedAt = "started_at"
        }
    }

    /// One provider's state.
    public struct Provider: Sendable, Hashable, Codable {
        public var name: String
        /// `missing`, `fresh`, `advisory`, `mandatory` or `expired`.
        public var phase: String
        /// The current token's fingerprint (first 8 hex of its SHA-256).
        public var tokenFingerprint: String?
        /// RFC 3339.
        public var expiresAt: String?
        public var expiresIn: Int64?
        /// `closed`, `half_open` or `open`.
        public var breaker: String
        public var consecutiveFailures: Int
        public var refreshing: Bool
        public var lastError: String?
        /// A final error stands (revoked grant, rejected client) until a manual refresh.
        public var needsIntervention: Bool
        /// The fallback method serving the provider (`alternate_provider`, `emergency_key`), if any.
        public var fallbackInUse: String?
        /// RFC 3339.
        public var lastSuccessAt: String?
        /// Who holds the provider's fleet lock (Redis coordination), as this daemon last saw it.
        public var fleetLock: FleetLock?
        /// Set while no method gives the provider a token (emergency mode).
        public var emergency: Emergency?

        /// Emergency mode: since when, and what was tried the last time, OAuth first.
        public struct Emergency: Sendable, Hashable, Codable {
            /// RFC 3339.
            public var since: String
            public var tried: [EmergencyRow.Attempt]

            public init(since: String, tried: [EmergencyRow.Attempt]) {
                self.since = since
                self.tried = tried
            }
        }

        /// A fleet lock's holder.
        public struct FleetLock: Sendable, Hashable, Codable {
            public var instanceID: String
            public var host: String
            /// When the holder asked for the lock, RFC 3339.
            public var since: String

            public init(instanceID: String, host: String, since: String) {
                self.instanceID = instanceID
                self.host = host
                self.since = since
            }

            enum CodingKeys: String, CodingKey {
                case host, since
                case instanceID = "instance_id"
            }
        }

        public init(
            name: String, phase: String, tokenFingerprint: String? = nil, expiresAt: String? = nil,
            expiresIn: Int64? = nil, breaker: String = "closed", consecutiveFailures: Int = 0,
            refreshing: Bool = false, lastError: String? = nil, needsIntervention: Bool = false,
            fallbackInUse: String? = nil, lastSuccessAt: String? = nil, fleetLock: FleetLock? = nil,
            emergency: Emergency? = nil
        ) {
            self.name = name
            self.phase = phase
            self.tokenFingerprint = tokenFingerprint
            self.expiresAt = expiresAt
            self.expiresIn = expiresIn
            self.breaker = breaker
            self.consecutiveFailures = consecutiveFailures
            self.refreshing = refreshing
            self.lastError = lastError
            self.needsIntervention = needsIntervention
            self.fallbackInUse = fallbackInUse
            self.lastSuccessAt = lastSuccessAt
            self.fleetLock = fleetLock
            self.emergency = emergency
        }

        enum CodingKeys: String, CodingKey {
            case name, phase, breaker, refreshing, emergency
            case fleetLock = "fleet_lock"
            case tokenFingerprint = "token_fingerprint"
            case expiresAt = "expires_at"
            case expiresIn = "expires_in"
            case consecutiveFailures = "consecutive_failures"
            case lastError = "last_error"
            case needsIntervention = "needs_intervention"
            case fallbackInUse = "fallback_in_use"
            case lastSuccessAt = "last_success_at"
        }
    }

    /// A pending or firing alert.
    public struct Alert: Sendable, Hashable, Codable {
        public var name: String
        /// `pending` or `firing`.
        public var state: String
        public var severity: String
        /// When it entered its state, RFC 3339.
        public var since: String
        public var summary: String

        public init(name: String, state: String, severity: String, since: String, summary: String) {
            self.name = name
            self.state = state
            self.severity = severity
            self.since = since
            self.summary = summary
        }
    }

    /// A process (or, over TCP, the TCP clients together) that asked the daemon for something, or a
    /// token file the daemon keeps (a sink).
    public struct Consumer: Sendable, Hashable, Codable {
        /// `socket` for clients of this socket, `sink` for the daemon's token files.
        public var kind: String
        /// `unix` or `tcp` for socket clients, `file` for sinks.
        public var transport: String
        /// What a person recognises it by (a sink's path); absent for socket clients.
        public var name: String?
        /// From `SO_PEERCRED`; `nil` over TCP.
        public var pid: Int32?
        public var uid: UInt32?
        /// RFC 3339.
        public var lastRequestAt: String
        /// The provider of its last token or refresh request.
        public var lastProvider: String?
        public var requests: Int

        public init(
            kind: String, transport: String, pid: Int32?, uid: UInt32?, lastRequestAt: String,
            lastProvider: String?, requests: Int, name: String? = nil
        ) {
            self.name = name
            self.kind = kind
            self.transport = transport
            self.pid = pid
            self.uid = uid
            self.lastRequestAt = lastRequestAt
            self.lastProvider = lastProvider
            self.requests = requests
        }

        enum CodingKeys: String, CodingKey {
            case kind, transport, pid, uid, requests, name
            case lastRequestAt = "last_request_at"
            case lastProvider = "last_provider"
        }
    }
}
