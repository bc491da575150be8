import Synchronization

/// Something that happened to a provider's token, for the headless JSON stream and the
/// dashboard's event log. Events never carry a secret: tokens appear as fingerprints.
public struct TokenEvent: Sendable {
    /// What happened.
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        public static let refreshStarted = Kind(rawValue: "refresh_started")
        /// One request to one endpoint failed.
        public static let attemptFailed = Kind(rawValue: "attempt_failed")
        /// The same endpoint is tried again after a backoff.
        public static let retry = Kind(rawValue: "retry")
        /// 429 or 503 with `Retry-After`; the wait is honoured.
        public static let rateLimited = Kind(rawValue: "rate_limited")
        /// The round moves on to the next endpoint.
        public static let failover = Kind(rawValue: "failover")
        public static let refreshSucceeded = Kind(rawValue: "refresh_succeeded")
        public static let refreshFailed = Kind(rawValue: "refresh_failed")
        /// A manual refresh was refused without a round (a `Retry-After` beyond the policy's limit, an
        /// open breaker): `reason`, `code` and `error` say why, `retry_in_s` when it may be tried.
        public static let refreshRefused = Kind(rawValue: "refresh_refused")
        public static let breakerTransition = Kind(rawValue: "breaker")
        /// A token that had been handed out expired before a new one was obtained.
        public static let tokenExpired = Kind(rawValue: "token_expired")
        /// Tokens were restored from the store at start.
        public static let storeLoaded = Kind(rawValue: "store_loaded")
        /// The store could not be read; it was set aside and the manager starts empty.
        public static let storeCorrupt = Kind(rawValue: "store_corrupt")
        /// OAuth could not give a usable token and a fallback credential was handed out: the first
        /// fallback hand-out of an outage, or a change of the entry in use during one.
        public static let fallbackEngaged = Kind(rawValue: "fallback_engaged")
        /// OAuth gave a real token again after an outage served by fallback credentials.
        public static let fallbackEnded = Kind(rawValue: "fallback_ended")
        /// A fallback entry could not be used (time limit reached, approval missing, alternate
        /// provider failing); reported once per entry and reason in an outage.
        public static let fallbackRefused = Kind(rawValue: "fallback_refused")
        /// An emergency key was handed out: operators must know (critical).
        public static let emergencyKeyUsed = Kind(rawValue: "emergency_key_used")
        /// No method could give the provider a token (OAuth and every fallback entry failed): emergency
        /// mode, once per outage (critical; `methods`, `oauth_reason`, `tried`, `error`).
        public static let emergency = Kind(rawValue: "emergency")
        /// A method gave the provider a token again after `emergency` (`recovered_by`, `duration_ms`).
        public static let emergencyEnded = Kind(rawValue: "emergency_ended")
        /// A token was taken from the fleet instead of refreshed (`reason`: `fleet_newer`,
        /// `waited_for_holder`, `rotated_by_fleet`; `generation`, `refreshed_by`, `token_sha256`).
        public static let tokenAdopted = Kind(rawValue: "token_adopted")
        /// A refresh was put off because another process of the fleet holds the lock (`retry_in_s`).
        public static let refreshDeferred = Kind(rawValue: "refresh_deferred")
        /// This process lost the fleet lock while refreshing (its lease ran out and another process was
        /// granted the lock); its write-back is refused by the fence. A lost race, not an error.
        public static let coordinationLockLost = Kind(rawValue: "coordination_lock_lost")
        /// The fleet's shared state cannot be used (store unreachable, state sealed with another key):
        /// the provider refreshes in process until it can again. Reported once per outage.
        public static let coordinationDown = Kind(rawValue: "coordination_down")
        /// The fleet can be consulted again after `coordination_down`.
        public static let coordinationUp = Kind(rawValue: "coordination_up")

        /// A token failed validation and was discarded (`source`: `refresh`, `store`, `fleet`; `check`,
        /// `detail`, `token_sha256`, and `endpoint` for a refresh); a refresh follows.
        public static let tokenRejected = Kind(rawValue: "token_rejected")

        public var description: String { self.rawValue }
    }

    /// How urgent an event is; most are ``info``.
    public struct Severity: Sendable, Hashable, Comparable, CustomStringConvertible {
        public let rawValue: String
        private let rank: Int
        private init(_ rawValue: String, _ rank: Int) {
            self.rawValue = rawValue
            self.rank = rank
        }

        public static let info = Severity("info", 0)
        /// Something degraded that needs watching (fallback engaged, an entry refused).
        public static let warning = Severity("warning", 1)
        /// Someone must act now (an emergency key is in use).
        public static let critical = Severity("critical", 2)

        public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
        public var description: String { self.rawValue }
    }

    /// A field value.
    public enum Value: Sendable, Hashable {
        case string(String)
        case int(Int64)
        case double(Double)
        case bool(Bool)
    }

    public var kind: Kind
    /// Unix nanoseconds on the manager's clock.
    public var timestamp: Int64
    public var provider: String
    /// How urgent it is.
    public var severity: Severity
    /// Further fields in a stable order.
    public var fields: [(key: String, value: Value)]

    public init(
        kind: Kind,
        timestamp: Int64,
        provider: String,
        severity: Severity = .info,
        fields: [(key: String, value: Value)] = []
    ) {
        self.kind = kind
        self.timestamp = timestamp
        self.provider = provider
        self.severity = severity
        self.fields = fields
    }

    /// The value of field `key`, if present.
    public subscript(key: String) -> Value? {
        self.fields.first { $0.key == key }?.value
    }
}

/// Fans events out to subscribers. Subscribers are called synchronously and must not block.
final class TokenEventBus: Sendable {
    private let subscribers = Mutex<[@Sendable (TokenEvent) -> Void]>([])

    func subscribe(_ subscriber: @escaping @Sendable (TokenEvent) -> Void) {
        self.subscribers.withLock { $0.append(subscriber) }
    }

    func emit(_ event: TokenEvent) {
        let subscribers = self.subscribers.withLock { $0 }
        for subscriber in subscribers { subscriber(event) }
    }
}
