/// Everything the provider's endpoints share, guarded by one `Mutex` in ``DemoIdentityProvider``.
struct ProviderState: Sendable {
    /// The lifecycle of `run()`.
    enum Phase: Sendable {
        case idle
        case running(start: Duration)
        case finished(reason: String)
    }

    /// What a refresh token grants: who may use it and with which scope.
    struct RefreshGrant: Sendable {
        var clientID: String
        var scope: String?
        /// When rotation replaced this token (provider uptime); it still works for the reuse interval.
        var retiredAt: Duration?
    }

    /// What a response was, for statistics.
    enum Outcome: Sendable {
        case issued, errorStatus, rateLimited, invalidGrant, badResponse
    }

    var phase: Phase = .idle
    var faults: [Fault]
    var faultHits: [Int]
    var refreshTokens: [String: RefreshGrant] = [:]
    /// How long a rotated-away refresh token keeps working (the schedule's, else the configuration's).
    var refreshTokenReuseInterval: Duration = .zero
    var counts: [String: DemoStatistics.Counts]
    var accessTokensIssued = 0
    var refreshTokensIssued = 0
    /// Every token issued, when the configuration asks to record them (`nil` otherwise).
    var issuedTokens: [String]?
    /// The port each endpoint bound, once it has.
    var ports: [String: Int] = [:]

    init(schedule: FaultSchedule, endpointNames: [String]) {
        self.faults = schedule.faults
        self.faultHits = Array(repeating: 0, count: schedule.faults.count)
        self.counts = Dictionary(endpointNames.map { ($0, DemoStatistics.Counts()) }, uniquingKeysWith: { a, _ in a })
    }

    /// The first fault, in schedule order, that applies to a request on `endpoint` at `time`; it is counted as used.
    ///
    /// - Parameter request: What kind of request it is: each sees only the faults meant for its kind
    ///   (``FaultKind/decides(_:)``).
    mutating func decideFault(endpoint: String, at time: Duration, request: FaultedRequest = .token) -> Fault? {
        for (index, fault) in self.faults.enumerated() where fault.applies(to: endpoint, at: time) {
            guard fault.kind.decides(request) else { continue }
            if let count = fault.count, self.faultHits[index] >= count { continue }
            self.faultHits[index] += 1
            return fault
        }
        return nil
    }

    /// Whether an outage closes `endpoint` at `time`, and the next time that may change.
    ///
    /// Any outage fault whose window is open closes the listener; `count` does not apply to outages
    /// (refused connections are not requests).
    func outage(endpoint: String, at time: Duration) -> (active: Bool, nextChange: Duration?) {
        var active = false
        var next: Duration?
        func consider(_ candidate: Duration) {
            if candidate > time, next.map({ candidate < $0 }) ?? true { next = candidate }
        }
        for fault in self.faults where fault.kind == .outage {
            guard fault.endpoints?.contains(endpoint) ?? true else { continue }
            if fault.applies(to: endpoint, at: time) { active = true }
            consider(fault.start)
            if let end = fault.end { consider(end) }
        }
        return (active, next)
    }

    mutating func record(_ outcome: Outcome, endpoint: String) {
        var counts = self.counts[endpoint] ?? DemoStatistics.Counts()
        switch outcome {
        case .issued: counts.issued += 1
        case .errorStatus: counts.errorStatus += 1
        case .rateLimited: counts.rateLimited += 1
        case .invalidGrant: counts.invalidGrant += 1
        case .badResponse: counts.badResponse += 1
        }
        self.counts[endpoint] = counts
    }

    mutating func recordArrival(endpoint: String) {
        self.counts[endpoint, default: DemoStatistics.Counts()].requests += 1
    }

    mutating func recordSlowed(endpoint: String) {
        self.counts[endpoint, default: DemoStatistics.Counts()].slowed += 1
    }

    /// Registers a new refresh token and returns it.
    mutating func newRefreshToken(clientID: String, scope: String?) -> String {
        let token = "demo_rt_" + randomToken(bytes: 32)
        self.refreshTokens[token] = RefreshGrant(clientID: clientID, scope: scope)
        self.refreshTokensIssued += 1
        self.issuedTokens?.append(token)
        return token
    }

    /// The `kid` new tokens are signed with (rotation changes it).
    var signingKeyID = DemoSigning.keyID
    /// The public keys the JWKS endpoint publishes (RS256 only), as JWK members.
    var publishedKeys: [[String: String]] = []
    var keyRotations = 0
    var jwksRequests = 0
    var metadataRequests = 0
    var introspectionRequests = 0

    var resourceAccepted = 0
    var resourceRejected = 0
    /// The `jti` of every access token the `revoke_token` fault revoked: refused by the resource, the API
    /// and introspection from then on.
    var revokedTokenIDs: Set<String> = []
    var api = APIState()

    var statistics: DemoStatistics {
        var statistics = DemoStatistics(
            endpoints: self.counts,
            accessTokensIssued: self.accessTokensIssued,
            refreshTokensIssued: self.refreshTokensIssued,
            faultHits: self.faultHits
        )
        statistics.resourceAccepted = self.resourceAccepted
        statistics.resourceRejected = self.resourceRejected
        statistics.jwksRequests = self.jwksRequests
        statistics.metadataRequests = self.metadataRequests
        statistics.introspectionRequests = self.introspectionRequests
        statistics.keyRotations = self.keyRotations
        statistics.api = self.api.statistics
        return statistics
    }
}

extension Fault {
    /// Whether the fault's window contains `time` and its endpoint set contains `endpoint` (ignoring `count`).
    func applies(to endpoint: String, at time: Duration) -> Bool {
        guard self.start <= time else { return false }
        if let end = self.end, time >= end { return false }
        return self.endpoints?.contains(endpoint) ?? true
    }
}
