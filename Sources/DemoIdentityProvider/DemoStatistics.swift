/// What the provider has seen and answered so far.
public struct DemoStatistics: Sendable, Hashable {
    /// Request counts for one endpoint (or all together), by outcome.
    public struct Counts: Sendable, Hashable {
        /// Requests that reached the token path (counted on arrival, before any delay).
        public var requests = 0
        /// 200 responses carrying a real token.
        public var issued = 0
        /// Error statuses other than the two below: injected 5xx, 401/400 client errors, 405, 413...
        public var errorStatus = 0
        /// 429 (or a rate-limit fault's other status) with `Retry-After`.
        public var rateLimited = 0
        /// 400 `invalid_grant`, injected or real.
        public var invalidGrant = 0
        /// 200 responses with a broken body.
        public var badResponse = 0
        /// Requests a `slow` fault delayed (their final outcome is counted too).
        public var slowed = 0

        /// Creates zero counts.
        public init() {}

        /// Responses sent: every outcome except `slowed`, which overlaps the others.
        public var answered: Int {
            self.issued + self.errorStatus + self.rateLimited + self.invalidGrant + self.badResponse
        }

        static func + (lhs: Counts, rhs: Counts) -> Counts {
            var sum = lhs
            sum.requests += rhs.requests
            sum.issued += rhs.issued
            sum.errorStatus += rhs.errorStatus
            sum.rateLimited += rhs.rateLimited
            sum.invalidGrant += rhs.invalidGrant
            sum.badResponse += rhs.badResponse
            sum.slowed += rhs.slowed
            return sum
        }
    }

    /// Counts per endpoint name (every configured endpoint is present, possibly with zeros).
    public var endpoints: [String: Counts]
    /// Access tokens issued (200 responses with a real token).
    public var accessTokensIssued: Int
    /// Refresh tokens issued by rotation or by ``DemoIdentityProvider/issueRefreshToken(clientID:)``.
    public var refreshTokensIssued: Int
    /// How many requests each fault decided, in schedule order (injected faults at the end).
    public var faultHits: [Int]
    /// Requests to the protected resource that presented a valid token (200).
    public var resourceAccepted = 0
    /// Requests to the protected resource refused with 401 (no token, a bad signature, expired, wrong issuer).
    public var resourceRejected = 0
    /// Requests for the JWKS document (`/.well-known/jwks.json`).
    public var jwksRequests = 0
    /// Requests for the metadata documents (RFC 8414 and OpenID Connect discovery).
    public var metadataRequests = 0
    /// RFC 7662 introspection requests.
    public var introspectionRequests = 0
    /// Signing key rotations so far.
    public var keyRotations = 0
    /// The protected API's requests (`/api/v1/...`) by outcome and by model.
    public var api = DemoAPIStatistics()

    /// Creates statistics.
    public init(endpoints: [String: Counts], accessTokensIssued: Int, refreshTokensIssued: Int, faultHits: [Int]) {
        self.endpoints = endpoints
        self.accessTokensIssued = accessTokensIssued
        self.refreshTokensIssued = refreshTokensIssued
        self.faultHits = faultHits
    }

    /// The counts over all endpoints.
    public var total: Counts { self.endpoints.values.reduce(Counts(), +) }

    /// The counts for one endpoint, zero for an unknown name.
    public subscript(endpoint name: String) -> Counts { self.endpoints[name] ?? Counts() }
}
