import HTTPTypes
import NIOCore
import Primitives
import Synchronization

/// The proxy's quota seam (``ProxyHooks``) filled by a ``QuotaGuard``: before forwarding, a cached answer or a shed
/// `429`; after the upstream's response head, its rate-limit headers read and a cacheable body teed into the cache.
public struct QuotaHooks: ProxyHooks {
    public let quota: QuotaGuard
    let clock: WallClock

    /// Hooks over `quota`, reading time from `clock`.
    public init(_ quota: QuotaGuard, clock: WallClock) {
        self.quota = quota
        self.clock = clock
    }

    public func answerLocally(_ request: ProxyRequestSummary) -> ProxyLocalAnswer? {
        // (Below the thresholds nothing is answered here: the request's fields are not made.)
        guard self.quota.mayAnswerLocally(now: self.clock.now()) else { return nil }
        let decision = self.quota.decide(
            method: request.method, path: Self.target(request), headers: request.fields, now: self.clock.now()
        )
        switch decision {
        case .forward: return nil
        case .cached(let answer), .shed(let answer):
            return ProxyLocalAnswer(status: answer.status, fields: answer.headers, body: answer.body)
        }
    }

    public func observe(
        _ request: ProxyRequestSummary,
        status: HTTPResponse.Status,
        fields: HTTPFields
    ) -> (any ProxyBodyTee)? {
        let now = self.clock.now()
        self.quota.observe(status: status, headers: fields, now: now)
        // (The request's fields are made only for a cache to store the answer under.)
        guard self.quota.caches,
            let admission = self.quota.cacheAdmission(
                method: request.method, path: Self.target(request), request: request.fields, status: status,
                response: fields, now: now
            )
        else { return nil }
        return CacheTee(quota: self.quota, admission: admission, clock: self.clock)
    }

    /// Without a cache, only the rate-limit fields (``QuotaGuard/rateLimitFields``); with one, all (it stores them).
    public var observedResponseFields: ResponseFieldSelection? {
        self.quota.caches ? nil : self.quota.rateLimitFields
    }

    public func isCritical(_ request: ProxyRequestSummary) -> Bool {
        self.quota.isCritical(path: String(request.path), headers: request.fields)
    }

    /// The cache key's target: the path and query as the client sent them.
    static func target(_ request: ProxyRequestSummary) -> String {
        request.query.map { "\(request.path)?\($0)" } ?? String(request.path)
    }
}

/// Copies a cacheable body into its admission as the chunks pass to the client, and stores it when the body ended
/// normally; a body beyond `max_body` is dropped at once (the client's stream goes on untouched).
final class CacheTee: ProxyBodyTee {
    private let quota: QuotaGuard
    private let clock: WallClock
    private let admission: Mutex<CacheAdmission?>

    init(quota: QuotaGuard, admission: CacheAdmission, clock: WallClock) {
        self.quota = quota
        self.clock = clock
        self.admission = Mutex(admission)
    }

    func append(_ chunk: ByteBuffer) {
        self.admission.withLock { admission in
            // Appended in place (no copy of the body so far); abandoned for good once beyond max_body.
            if admission?.append(chunk) == false { admission = nil }
        }
    }

    func finish(complete: Bool) {
        guard complete, let admission = self.admission.withLock({ $0.take() }) else { return }
        self.quota.store(admission, now: self.clock.now())
    }
}
