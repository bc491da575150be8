import Primitives

/// One entry of the `proxies:` section of `oauthtop.yaml`: an authenticating API proxy (`docs/proxy.md`).
///
/// A job points its API client's base URL at ``listen`` and sends no credential; the proxy forwards
/// each request to ``upstream`` with the token of ``provider`` attached, refreshes and replays once on
/// an auth error, honours `Retry-After`, and watches the upstream's quota.
///
/// Plain values, checked for syntax by the parser; the runtime maps them onto the proxy service.
/// ```yaml
/// proxies:
///   - name: claude
///     listen: 127.0.0.1:8081          # or an absolute Unix socket path (mode 0600)
///     upstream: https://api.anthropic.com/v1
///     provider: anthropic
///     header: {name: x-api-key, scheme: ""}   # default: {name: Authorization, scheme: Bearer}
///     auth_errors: {statuses: [401], replay_body_limit: 1MiB}
///     rate_limit: {statuses: [429, 503], when_blocked: wait, max_wait: 30s}
///     on_rate_limit: {json_field: model, from: claude-opus-4, to: claude-haiku-4}
///     quota:
///       cache_above: 0.9
///       shed_above: 0.95
///       critical_header: OAuthtop-Priority
///       critical_paths: ["/messages/batches/*"]
///       limits:
///         - {name: requests, limit_header: anthropic-ratelimit-requests-limit,
///            remaining_header: anthropic-ratelimit-requests-remaining,
///            reset_header: anthropic-ratelimit-requests-reset}
///     cache: {max_entries: 1000, max_bytes: 16MiB, max_body: 1MiB, ttl: 60s}
/// ```
public struct ProxySettings: Sendable, Hashable {
    /// The proxy's name: the `proxy` label of its metrics, and its events' `proxy` field.
    public var name: String
    /// Where it listens.
    public var listen: Listen
    /// The base URL every request is forwarded under (`https` or `http`); its path is a prefix that
    /// requests cannot escape.
    public var upstream: String
    /// The provider whose token is attached.
    public var provider: String
    /// The header the token is sent in.
    public var header: TokenHeader
    /// Where the TCP listener's per-run bearer secret is written (0600); `nil`: beside the token socket,
    /// as `proxy-NAME.secret`.
    public var secretFile: String?
    /// A PEM file of certificate authorities to trust for the upstream besides the system's. The
    /// upstream's certificate is always verified.
    public var caFile: String?
    /// The most connections kept open to the upstream (keep-alive pool).
    public var maxConnections: Int
    /// How long connecting to the upstream may take.
    public var connectTimeout: Duration
    /// How long the upstream may be silent: before the response head, and between two chunks of a
    /// streamed body (an LLM stream can last minutes; a silent one does not).
    public var readTimeout: Duration
    /// Largest request body accepted from a client (413 above it).
    public var maxRequestBody: Int
    /// What counts as an auth error, and which requests can be replayed after one.
    public var authErrors: AuthErrors
    /// How `Retry-After` on a 429 or 503 is honoured.
    public var rateLimit: RateLimit
    /// A rewrite applied to a request before it is retried after a rate limit; `nil`: retried as is.
    public var onRateLimit: BodyRewrite?
    /// Quota awareness: the upstream's rate-limit headers, and what to do near the limit; `nil`: only
    /// the built-in headers are read into the gauge, and nothing is cached or shed.
    public var quota: Quota?
    /// The response cache used near the quota; `nil`: no cache.
    public var cache: Cache?

    /// A Unix socket path (mode 0600, the owner only) or a loopback `HOST:PORT`.
    public enum Listen: Sendable, Hashable {
        case unix(path: String)
        /// `HOST:PORT` on a loopback address; port 0 picks a free port. Requires the per-run bearer
        /// secret.
        case tcp(String)
    }

    /// The header that carries the token: `NAME: SCHEME TOKEN`, or `NAME: TOKEN` with an empty scheme.
    public struct TokenHeader: Sendable, Hashable {
        public var name: String
        public var scheme: String

        public static let bearer = TokenHeader(name: "Authorization", scheme: "Bearer")

        public init(name: String, scheme: String) {
            self.name = name
            self.scheme = scheme
        }
    }

    public struct AuthErrors: Sendable, Hashable {
        /// Statuses that mean the token was refused, besides 401 (which always does, as does any
        /// response with `WWW-Authenticate: Bearer error="invalid_token"`).
        public var statuses: Set<Int>
        /// Request bodies up to this size are kept so the request can be replayed; a larger one's
        /// auth error goes back to the client.
        public var replayBodyLimit: Int

        public static let defaultReplayBodyLimit = 1 << 20

        public init(statuses: Set<Int> = [401], replayBodyLimit: Int = AuthErrors.defaultReplayBodyLimit) {
            self.statuses = statuses.union([401])
            self.replayBodyLimit = replayBodyLimit
        }
    }

    public struct RateLimit: Sendable, Hashable {
        /// What a request that arrives while the upstream is blocked gets.
        public enum WhenBlocked: String, Sendable, Hashable {
            /// It waits for the block to end (up to ``maxWait``; beyond that it gets 429 at once).
            case wait
            /// It gets 429 with the remaining `Retry-After` at once.
            case reject
        }

        /// Statuses whose `Retry-After` blocks the upstream.
        public var statuses: Set<Int>
        public var whenBlocked: WhenBlocked
        /// The longest a request waits for a block to end (and the longest `Retry-After` after which
        /// the rate-limited request itself is retried).
        public var maxWait: Duration

        public init(statuses: Set<Int> = [429, 503], whenBlocked: WhenBlocked = .wait, maxWait: Duration = .seconds(30)) {
            self.statuses = statuses
            self.whenBlocked = whenBlocked
            self.maxWait = maxWait
        }
    }

    /// Replaces one field of a JSON request body (`model: expensive` to `model: cheaper`).
    public struct BodyRewrite: Sendable, Hashable {
        /// The field: a top-level key, or a dotted path of object keys (`options.model`).
        public var jsonField: String
        /// Only when the field has this string value; `nil`: whatever its value.
        public var from: String?
        /// The new string value.
        public var to: String

        public init(jsonField: String, from: String? = nil, to: String) {
            self.jsonField = jsonField
            self.from = from
            self.to = to
        }
    }

    public struct Quota: Sendable, Hashable {
        /// Above this fraction used, an idempotent request with a fresh cached response is answered from
        /// the cache; `nil`: never.
        public var cacheAbove: Double?
        /// Above this fraction used, requests not marked critical are refused locally with 429; `nil`:
        /// never.
        public var shedAbove: Double?
        /// A request with this header set to `critical` is never refused by the proxy.
        public var criticalHeader: String
        /// Paths (under the listener, `*` matching within a segment, a trailing `/**` any rest) whose
        /// requests are critical.
        public var criticalPaths: [String]
        /// Vendor headers read besides the built-in ones (IETF `RateLimit`/`RateLimit-Policy`,
        /// `RateLimit-Limit/Remaining/Reset`, `X-RateLimit-Limit/Remaining/Reset`).
        public var limits: [HeaderLimit]

        public static let defaultCacheAbove = 0.9
        public static let defaultShedAbove = 0.95
        public static let defaultCriticalHeader = "OAuthtop-Priority"

        public init(
            cacheAbove: Double? = Quota.defaultCacheAbove,
            shedAbove: Double? = Quota.defaultShedAbove,
            criticalHeader: String = Quota.defaultCriticalHeader,
            criticalPaths: [String] = [],
            limits: [HeaderLimit] = []
        ) {
            self.cacheAbove = cacheAbove
            self.shedAbove = shedAbove
            self.criticalHeader = criticalHeader
            self.criticalPaths = criticalPaths
            self.limits = limits
        }
    }

    /// A vendor's rate-limit headers for one limit (its `limit` label).
    public struct HeaderLimit: Sendable, Hashable {
        public var name: String
        public var limitHeader: String
        public var remainingHeader: String
        /// Seconds until the window resets (or an RFC 3339 / HTTP date); optional.
        public var resetHeader: String?

        public init(name: String, limitHeader: String, remainingHeader: String, resetHeader: String? = nil) {
            self.name = name
            self.limitHeader = limitHeader
            self.remainingHeader = remainingHeader
            self.resetHeader = resetHeader
        }
    }

    /// The bounded in-memory response cache.
    public struct Cache: Sendable, Hashable {
        public var maxEntries: Int
        public var maxBytes: Int
        /// Larger responses are not cached.
        public var maxBody: Int
        /// How long a response without `Cache-Control: max-age` (or `Expires`) stays fresh.
        public var ttl: Duration

        public init(maxEntries: Int = 1_000, maxBytes: Int = 16 << 20, maxBody: Int = 1 << 20, ttl: Duration = .seconds(60)) {
            self.maxEntries = maxEntries
            self.maxBytes = maxBytes
            self.maxBody = maxBody
            self.ttl = ttl
        }
    }

    public static let defaultMaxConnections = 16
    public static let defaultConnectTimeout = Duration.seconds(5)
    public static let defaultReadTimeout = Duration.seconds(120)
    public static let defaultMaxRequestBody = 32 << 20

    public init(
        name: String,
        listen: Listen,
        upstream: String,
        provider: String,
        header: TokenHeader = .bearer,
        secretFile: String? = nil,
        caFile: String? = nil,
        maxConnections: Int = ProxySettings.defaultMaxConnections,
        connectTimeout: Duration = ProxySettings.defaultConnectTimeout,
        readTimeout: Duration = ProxySettings.defaultReadTimeout,
        maxRequestBody: Int = ProxySettings.defaultMaxRequestBody,
        authErrors: AuthErrors = AuthErrors(),
        rateLimit: RateLimit = RateLimit(),
        onRateLimit: BodyRewrite? = nil,
        quota: Quota? = nil,
        cache: Cache? = nil
    ) {
        self.name = name
        self.listen = listen
        self.upstream = upstream
        self.provider = provider
        self.header = header
        self.secretFile = secretFile
        self.caFile = caFile
        self.maxConnections = maxConnections
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
        self.maxRequestBody = maxRequestBody
        self.authErrors = authErrors
        self.rateLimit = rateLimit
        self.onRateLimit = onRateLimit
        self.quota = quota
        self.cache = cache
    }
}
