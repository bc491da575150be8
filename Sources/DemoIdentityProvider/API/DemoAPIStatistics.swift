/// What the demo's protected API has answered so far (``DemoStatistics/api``).
public struct DemoAPIStatistics: Sendable, Hashable {
    /// Requests that reached the API's paths, counted on arrival.
    public var requests = 0
    /// Answers by outcome.
    public var outcomes: [DemoAPIOutcome: Int] = [:]
    /// Completions answered (200) by the model they named; at most ``maximumModels`` names, the rest
    /// counted as `other`.
    public var models: [String: Int] = [:]
    /// Server-sent events written to streams.
    public var streamEvents = 0
    /// Tokens the `revoke_token` fault revoked.
    public var revokedTokens = 0

    /// How many distinct model names are counted before the rest go to `other`: a client chooses the names.
    public static let maximumModels = 64

    /// Creates empty statistics.
    public init() {}

    /// The answers with this outcome.
    public subscript(outcome outcome: DemoAPIOutcome) -> Int { self.outcomes[outcome] ?? 0 }

    /// Answers sent (every outcome).
    public var answered: Int { self.outcomes.values.reduce(0, +) }

    mutating func record(_ outcome: DemoAPIOutcome, model: String?) {
        self.outcomes[outcome, default: 0] += 1
        guard outcome == .ok, let model else { return }
        if self.models[model] != nil || self.models.count < Self.maximumModels {
            self.models[model, default: 0] += 1
        } else {
            self.models["other", default: 0] += 1
        }
    }
}

/// What an API request got.
public struct DemoAPIOutcome: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// A 200 (an item, a completion, a stream).
    public static let ok = DemoAPIOutcome(rawValue: "ok")
    /// 401: no token, or one that is malformed, expired, foreign or revoked earlier.
    public static let unauthorized = DemoAPIOutcome(rawValue: "unauthorized")
    /// 401: the `revoke_token` fault revoked the (valid) token this request presented.
    public static let revoked = DemoAPIOutcome(rawValue: "revoked")
    /// 429: the quota of the window was used up.
    public static let quotaExceeded = DemoAPIOutcome(rawValue: "quota_exceeded")
    /// 429 (or 503) with `Retry-After` from the `api_rate_limit` fault.
    public static let faultRateLimit = DemoAPIOutcome(rawValue: "fault_rate_limit")
    /// An error status from the `api_error` fault.
    public static let faultError = DemoAPIOutcome(rawValue: "fault_error")
    /// 503 while an outage closes the listener.
    public static let outage = DemoAPIOutcome(rawValue: "outage")
    /// 400 (a bad body or parameter), 413 (a body too large) or 415 (not JSON).
    public static let badRequest = DemoAPIOutcome(rawValue: "bad_request")
    /// 404: no such route or item.
    public static let notFound = DemoAPIOutcome(rawValue: "not_found")
    /// 405: a route that does not take the method.
    public static let methodNotAllowed = DemoAPIOutcome(rawValue: "method_not_allowed")

    public var description: String { self.rawValue }
}

/// One request to the protected API, as ``DemoIdentityProvider/apiRequests()`` lists it. Times are provider
/// uptime (the time fault windows are measured in).
public struct DemoAPIRequest: Sendable, Hashable {
    /// When the request arrived.
    public var arrival: Duration
    /// When its answer was produced (for a stream: its head).
    public var answered: Duration
    /// The listener it arrived on.
    public var endpoint: String
    public var method: String
    /// The path, without the query.
    public var path: String
    public var status: Int
    public var outcome: DemoAPIOutcome
    /// For an answer with `Retry-After`: when the wait it asked for ends (``answered`` plus the value).
    public var retryAfterEnds: Duration?
    /// The model a completion named.
    public var model: String?
    /// The access token's `jti` (an id, not the token), when a valid token was presented.
    public var tokenID: String?

    /// Creates a record.
    public init(
        arrival: Duration, answered: Duration, endpoint: String, method: String, path: String, status: Int,
        outcome: DemoAPIOutcome, retryAfterEnds: Duration? = nil, model: String? = nil, tokenID: String? = nil
    ) {
        self.arrival = arrival
        self.answered = answered
        self.endpoint = endpoint
        self.method = method
        self.path = path
        self.status = status
        self.outcome = outcome
        self.retryAfterEnds = retryAfterEnds
        self.model = model
        self.tokenID = tokenID
    }
}

extension Array where Element == DemoAPIRequest {
    /// The requests that arrived while a `Retry-After` the API had sent on the same listener was still
    /// running: after that answer was sent and before its wait ended. A client that honours `Retry-After`
    /// has none (requests that arrived before the 429 was sent could not have known of it, and are not
    /// counted).
    public func arrivedDuringRetryAfter() -> [DemoAPIRequest] {
        let waits = self.compactMap { request in
            request.retryAfterEnds.map { (endpoint: request.endpoint, from: request.answered, until: $0) }
        }
        guard !waits.isEmpty else { return [] }
        return self.filter { request in
            waits.contains { wait in
                wait.endpoint == request.endpoint && request.arrival > wait.from && request.arrival < wait.until
            }
        }
    }
}
