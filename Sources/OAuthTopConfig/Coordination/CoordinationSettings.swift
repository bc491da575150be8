import Primitives

/// The `coordination:` section of `oauthtop.yaml`: a fleet of oauthtop processes sharing credentials
/// refreshes once per cycle through Redis (`docs/configuration.md`, issue 11).
///
/// Plain values, checked for syntax: the runtime maps them onto the Redis client and the fleet
/// coordinator. Secrets (the Redis password, the state encryption key) are already read from their
/// `{env: NAME}` or `{file: PATH}` reference.
public struct CoordinationSettings: Sendable, Hashable {
    /// How to reach Redis.
    public struct Redis: Sendable, Hashable {
        /// `redis://[USER@]HOST[:PORT][/DB]` or `rediss://...` (TLS); never with a password in it.
        public var url: String
        /// The password (`AUTH`), if the server wants one.
        public var password: Secret?
        /// Put before each provider's keys: `PREFIX{provider}:state`.
        public var keyPrefix: String
        /// TLS options for a `rediss://` URL; `nil` uses the system's trust roots and the URL's host.
        public var tls: TLS?
        /// How long a lock grant lasts without renewal (renewed every third of it).
        public var lease: Duration
        /// How long a process in the mandatory window waits for another holder's result.
        public var wait: Duration

        public init(
            url: String,
            password: Secret? = nil,
            keyPrefix: String = CoordinationSettings.defaultKeyPrefix,
            tls: TLS? = nil,
            lease: Duration = CoordinationSettings.defaultLease,
            wait: Duration = CoordinationSettings.defaultWait
        ) {
            self.url = url
            self.password = password
            self.keyPrefix = keyPrefix
            self.tls = tls
            self.lease = lease
            self.wait = wait
        }
    }

    /// TLS options of a `rediss://` connection.
    public struct TLS: Sendable, Hashable {
        /// A PEM file of the certificate authorities to trust instead of the system's.
        public var caFile: String?
        /// The name to verify the server's certificate against, instead of the URL's host.
        public var serverName: String?

        public init(caFile: String? = nil, serverName: String? = nil) {
            self.caFile = caFile
            self.serverName = serverName
        }
    }

    public static let defaultKeyPrefix = "oauthtop:"
    public static let defaultLease = Duration.seconds(10)
    public static let defaultWait = Duration.seconds(15)

    public var redis: Redis
    /// The 32-byte key that seals the shared token state, as 64 lowercase hex digits (whatever form
    /// the file gave: hex or base64). Every process of the fleet needs the same one.
    public var encryptionKey: Secret
    /// This process's id in the fleet; `nil`: the runtime makes one (host name and process id).
    public var instanceID: String?

    public init(redis: Redis, encryptionKey: Secret, instanceID: String? = nil) {
        self.redis = redis
        self.encryptionKey = encryptionKey
        self.instanceID = instanceID
    }
}
