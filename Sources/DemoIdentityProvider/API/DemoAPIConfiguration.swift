import Primitives

/// How the demo's protected API (``DemoIdentityProviderConfiguration/api``) answers: where it is, its quota
/// and its limits.
///
/// The API is served on every endpoint's listener under ``pathPrefix``:
/// - `GET {prefix}/items/{id}`: a small JSON item, cacheable (`Cache-Control: max-age`);
/// - `POST {prefix}/complete`: a JSON body with `model` and `prompt`, answered with JSON naming the model;
/// - `GET {prefix}/stream?events=N&interval_ms=M`: server-sent events, one `data:` event every M ms.
public struct DemoAPIConfiguration: Sendable, Hashable {
    /// The path the routes are under, `/api/v1` by default: starts with `/`, does not end with one.
    public var pathPrefix: String
    /// The quota every answer reports in its rate-limit headers and that answers 429 when used up; `nil`:
    /// no quota and no rate-limit headers.
    public var quota: DemoAPIQuota?
    /// The `max-age` items are served with (whole seconds).
    public var itemMaxAge: Duration
    /// The most events one stream may ask for (`events`).
    public var maximumStreamEvents: Int
    /// The longest interval between two events one stream may ask for (`interval_ms`).
    public var maximumStreamInterval: Duration
    /// How many requests ``DemoIdentityProvider/apiRequests()`` keeps (the latest ones).
    public var requestLogCapacity: Int

    /// Creates an API configuration.
    ///
    /// - Parameters:
    ///   - pathPrefix: The routes' common path, `/api/v1` by default.
    ///   - quota: 100 requests per 60 seconds by default.
    ///   - itemMaxAge: 30 seconds by default.
    ///   - maximumStreamEvents: 1,000 by default.
    ///   - maximumStreamInterval: 10 seconds by default.
    ///   - requestLogCapacity: 10,000 requests by default.
    public init(
        pathPrefix: String = "/api/v1",
        quota: DemoAPIQuota? = DemoAPIQuota(),
        itemMaxAge: Duration = .seconds(30),
        maximumStreamEvents: Int = 1000,
        maximumStreamInterval: Duration = .seconds(10),
        requestLogCapacity: Int = 10_000
    ) {
        self.pathPrefix = pathPrefix
        self.quota = quota
        self.itemMaxAge = itemMaxAge
        self.maximumStreamEvents = maximumStreamEvents
        self.maximumStreamInterval = maximumStreamInterval
        self.requestLogCapacity = requestLogCapacity
    }

    /// Checks the values; `field` is the configuration's name for this value, for messages.
    func validate(field: String, tokenPath: String) throws(DemoIdentityProviderError) {
        if !self.pathPrefix.hasPrefix("/") || self.pathPrefix.count < 2 || self.pathPrefix.hasSuffix("/") {
            throw .invalidConfiguration(
                "\(field).pathPrefix: '\(self.pathPrefix)' must start with '/' and not end with one (e.g. /api/v1)"
            )
        }
        if tokenPath == self.pathPrefix || tokenPath.hasPrefix(self.pathPrefix + "/") {
            throw .invalidConfiguration(
                "\(field).pathPrefix: '\(self.pathPrefix)' contains the token endpoint's path '\(tokenPath)'"
            )
        }
        if let quota = self.quota {
            try quota.validate(field: "\(field).quota")
        }
        if self.itemMaxAge < .zero {
            throw .invalidConfiguration("\(field).itemMaxAge: must not be negative")
        }
        if self.maximumStreamEvents < 1 {
            throw .invalidConfiguration("\(field).maximumStreamEvents: must be at least 1")
        }
        if self.maximumStreamInterval < .zero {
            throw .invalidConfiguration("\(field).maximumStreamInterval: must not be negative")
        }
        if self.requestLogCapacity < 0 {
            throw .invalidConfiguration("\(field).requestLogCapacity: must not be negative")
        }
    }
}

/// The demo API's quota: ``limit`` requests per fixed ``window``, windows counted from the provider's start
/// and shared by every listener (as replicas of one API share a quota).
///
/// Every answer reports it in the fields of the IETF draft (draft-ietf-httpapi-ratelimit-headers, the
/// structured-field form): `RateLimit-Policy: "default";q=100;w=60` and `RateLimit: "default";r=42;t=17`
/// (`r` remaining, `t` seconds until the window resets), and in the older de-facto fields
/// `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset` (the reset as Unix seconds, as GitHub
/// sends it). Requests that got past authentication and the faults use one unit each; when none is left the
/// API answers 429 with `Retry-After` (the seconds until the window resets) and uses nothing.
public struct DemoAPIQuota: Sendable, Hashable {
    /// Requests per window.
    public var limit: Int
    /// The window's length, whole seconds (the `w` parameter).
    public var window: Duration
    /// The policy's name in `RateLimit-Policy` and `RateLimit` (a structured-field string).
    public var policy: String

    /// Creates a quota.
    ///
    /// - Parameters:
    ///   - limit: Requests per window, 100 by default.
    ///   - window: The window, 60 seconds by default.
    ///   - policy: The policy's name, `default` by default.
    public init(limit: Int = 100, window: Duration = .seconds(60), policy: String = "default") {
        self.limit = limit
        self.window = window
        self.policy = policy
    }

    func validate(field: String) throws(DemoIdentityProviderError) {
        if self.limit < 1 {
            throw .invalidConfiguration("\(field).limit: must be at least 1, found \(self.limit)")
        }
        if self.window < .seconds(1) || self.window.components.attoseconds != 0 {
            throw .invalidConfiguration("\(field).window: must be whole seconds, at least 1s")
        }
        // A structured-field string (RFC 8941 §3.3.3): printable ASCII; `"` and `\` would need escapes.
        let printable = self.policy.utf8.allSatisfy { (0x20...0x7E).contains($0) && $0 != 0x22 && $0 != 0x5C }
        if self.policy.isEmpty || !printable {
            throw .invalidConfiguration(
                "\(field).policy: must be non-empty printable ASCII without '\"' or '\\' (a structured-field string)"
            )
        }
    }
}
