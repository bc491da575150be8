import CoreMetrics
import Foundation
import HTTPTypes
import Logging
import NIOCore
import OAuthTopConfig
import Synchronization
import TokenManager

/// Quota awareness for one proxy: the one type the proxy's pipeline calls.
///
/// - Before forwarding a request, ``decide(method:path:headers:now:)``: at or above the cache threshold a `GET` or
///   `HEAD` with a fresh cached response is answered from the cache (a `HEAD` also from a stored `GET`); at or above
///   the shedding threshold a non-critical request is refused with `429`; otherwise (and always for critical
///   requests) it is forwarded.
/// - When the upstream's response head arrives, ``observe(status:headers:now:)`` reads its rate-limit headers into
///   the quota, and ``cacheAdmission(method:path:request:status:response:now:)`` says whether to tee its body into
///   the cache; ``store(_:now:)`` once the body has ended.
///
/// Responses are stored whenever they are cacheable, and served only at or above the cache threshold. Metrics:
/// `oauth_proxy_quota_used_ratio{proxy,limit}`, `oauth_proxy_cache_hits_total{proxy}`,
/// `oauth_proxy_shed_total{proxy}`; events through `publish` (``QuotaTracker``).
public final class QuotaGuard: Sendable {
    /// The proxy's name.
    public let proxy: String
    /// The quota's state and episodes.
    public let tracker: QuotaTracker
    /// Which requests are critical.
    public let critical: CriticalRule
    private let headers: RateLimitHeaders
    private let cacheSettings: ProxySettings.Cache?
    /// Empty and bounded to nothing when there is no cache.
    private let cache: Mutex<ResponseCache>
    /// Request fields the proxy replaces or removes (its credentials, the critical header): not compared for `Vary`.
    private let ignoredVary: Set<String>
    private let metrics: QuotaMetrics
    private let logger: Logger

    /// Creates the guard of one proxy.
    ///
    /// - Parameters:
    ///   - proxy: The proxy's name.
    ///   - provider: The provider whose token it attaches (the events' provider).
    ///   - quota: The quota settings; `nil`: the built-in rate-limit headers are read into the gauge, and nothing
    ///     is cached or shed.
    ///   - cache: The cache's settings; `nil`: no cache.
    ///   - tokenHeader: The header the proxy sends the token in (besides `Authorization`, not compared for `Vary`).
    ///   - factory: Where the metrics are made.
    ///   - logger: Debug logs (ignored rate-limit headers, refused cache admissions); never a header value.
    ///   - publish: Receives the episode events (`manager.publish`).
    public init(
        proxy: String,
        provider: String,
        quota: ProxySettings.Quota?,
        cache: ProxySettings.Cache?,
        tokenHeader: String = "Authorization",
        factory: any MetricsFactory,
        logger: Logger,
        publish: @escaping @Sendable (TokenEvent) -> Void
    ) {
        self.proxy = proxy
        self.metrics = QuotaMetrics(proxy: proxy, factory: factory)
        self.tracker = QuotaTracker(
            proxy: proxy, provider: provider,
            // Cache mode means nothing without a cache to serve from.
            cacheAbove: cache == nil ? nil : quota?.cacheAbove, shedAbove: quota?.shedAbove,
            metrics: self.metrics, publish: publish
        )
        let criticalHeader = quota?.criticalHeader ?? ProxySettings.Quota.defaultCriticalHeader
        self.critical = CriticalRule(header: criticalHeader, paths: quota?.criticalPaths ?? [])
        self.headers = RateLimitHeaders(limits: quota?.limits ?? [])
        self.cacheSettings = cache
        var names: Set<String> = ["date"]
        for limit in quota?.limits ?? [] {
            names.insert(limit.limitHeader)
            names.insert(limit.remainingHeader)
            if let reset = limit.resetHeader { names.insert(reset) }
        }
        self.rateLimitFields = ResponseFieldSelection(names: names, containing: ["ratelimit"])
        self.cache = Mutex(cache.map(ResponseCache.init(settings:)) ?? ResponseCache(maxEntries: 0, maxBytes: 0))
        self.ignoredVary = Set(
            ["authorization", "proxy-authorization", tokenHeader.lowercased(), criticalHeader.lowercased()]
        )
        self.logger = logger
    }

    /// The guard of `settings`' proxy.
    public convenience init(
        settings: ProxySettings,
        factory: any MetricsFactory,
        logger: Logger,
        publish: @escaping @Sendable (TokenEvent) -> Void
    ) {
        self.init(
            proxy: settings.name, provider: settings.provider, quota: settings.quota, cache: settings.cache,
            tokenHeader: settings.header.name, factory: factory, logger: logger, publish: publish
        )
    }

    // MARK: - Before forwarding

    /// What to do with a request before it is forwarded.
    ///
    /// - Parameters:
    ///   - method: The request's method.
    ///   - path: Its path and query as the client sent them (the cache key; the critical paths match the path).
    ///   - headers: Its header fields as the client sent them.
    ///   - now: Unix nanoseconds.
    public func decide(method: HTTPRequest.Method, path: String, headers: HTTPFields, now: Int64) -> QuotaDecision {
        let status = self.tracker.status(now: now)
        guard status.caching || status.shedding else { return .forward }
        guard !self.critical.isCritical(path: path, headers: headers) else { return .forward }
        if status.caching, let hit = self.cachedResponse(method: method, path: path, headers: headers, now: now) {
            self.metrics.cacheHits.increment()
            return .cached(hit)
        }
        if status.shedding, let threshold = self.tracker.shedAbove {
            self.metrics.shed.increment()
            return .shed(self.shedResponse(status, threshold: threshold, now: now))
        }
        return .forward
    }

    /// Whether a request is critical (the proxy lets critical requests wait out an upstream block instead of
    /// refusing them).
    public func isCritical(path: String, headers: HTTPFields) -> Bool {
        self.critical.isCritical(path: path, headers: headers)
    }

    private func cachedResponse(
        method: HTTPRequest.Method,
        path: String,
        headers: HTTPFields,
        now: Int64
    ) -> LocalResponse? {
        guard self.cacheSettings != nil, let acceptable = CachePolicy.acceptableAge(method: method, request: headers)
        else { return nil }
        let primary = CacheKey.Primary(method: method.rawValue, target: path)
        // A HEAD is answered from a stored HEAD, else with the head of the stored GET: the fields a GET would
        // have had (RFC 9110 §9.3.2), `Content-Length` the GET body's.
        let found = self.cache.withLock { cache -> (CachedResponse, fromGET: Bool)? in
            if let stored = cache.lookup(primary, request: headers, now: now) { return (stored, false) }
            guard method == .head else { return nil }
            let get = CacheKey.Primary(method: HTTPRequest.Method.get.rawValue, target: path)
            return cache.lookup(get, request: headers, now: now).map { ($0, true) }
        }
        guard let (stored, fromGET) = found else { return nil }
        let age = stored.age(now: now)
        guard age <= acceptable else { return nil }
        var fields = stored.headers
        fields[.age] = String(age.components.seconds)
        fields[.oauthtopCache] = "hit"
        if fromGET, fields[.contentLength] == nil { fields[.contentLength] = String(stored.body.readableBytes) }
        return LocalResponse(status: .ok, headers: fields, body: method == .head ? ByteBuffer() : stored.body)
    }

    /// The body of a shed answer.
    private struct ShedBody: Encodable {
        var error = "quota_shed"
        var errorDescription: String
        var proxy: String
        var quotaUsed: Double
        var limit: String
        var threshold: Double
        var retryAfterSeconds: Int64?

        enum CodingKeys: String, CodingKey {
            case error, proxy, limit, threshold
            case errorDescription = "error_description"
            case quotaUsed = "quota_used"
            case retryAfterSeconds = "retry_after_s"
        }
    }

    private func shedResponse(_ status: QuotaTracker.Status, threshold: Double, now: Int64) -> LocalResponse {
        let retryAfter = status.shedUntil.map { Duration.nanoseconds(max(0, $0 &- now)).wholeSecondsRoundedUp }
        let used = QuotaTracker.rounded(status.used)
        let limit = status.limit ?? "default"
        let body = ShedBody(
            errorDescription: "the upstream's quota \(limit) is \(Self.percent(used)) used; requests not marked "
                + "critical are refused at or above \(Self.percent(threshold))",
            proxy: self.proxy, quotaUsed: used, limit: limit, threshold: threshold, retryAfterSeconds: retryAfter
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let bytes = (try? encoder.encode(body)) ?? Data(#"{"error":"quota_shed"}"#.utf8)
        var fields: HTTPFields = [.contentType: "application/json", .contentLength: String(bytes.count)]
        fields[.cacheControl] = "no-store"
        if let retryAfter { fields[.retryAfter] = String(retryAfter) }
        return LocalResponse(status: .tooManyRequests, headers: fields, body: ByteBuffer(bytes: bytes))
    }

    private static func percent(_ fraction: Double) -> String {
        let value = (fraction * 1000).rounded() / 10
        return value == value.rounded() ? "\(Int(value))%" : "\(value)%"
    }

    // MARK: - After the response head

    /// Reads a response's rate-limit headers into the quota (any status: a 429 carries them too).
    ///
    /// - Returns: The quota after the reading.
    @discardableResult
    public func observe(status: HTTPResponse.Status, headers: HTTPFields, now: Int64) -> QuotaTracker.Status {
        let report = self.headers.read(headers, localNow: now)
        if !report.problems.isEmpty {
            self.logger.debug(
                "rate-limit headers ignored",
                metadata: ["proxy": "\(self.proxy)", "problems": "\(report.problems.map(\.description))"]
            )
        }
        return self.tracker.observe(report.readings, now: now)
    }

    /// Whether a response cache is configured.
    public var caches: Bool { self.cacheSettings != nil }

    /// Whether ``decide(method:path:headers:now:)`` may answer a request at `now` (the quota is at or above a
    /// threshold); below them it forwards every request.
    public func mayAnswerLocally(now: Int64) -> Bool {
        let status = self.tracker.status(now: now)
        return status.caching || status.shedding
    }

    /// The response fields ``observe(status:headers:now:)`` reads: every field named `...ratelimit...` (the IETF
    /// drafts' and `X-RateLimit-*`), the configured limits' fields, and `Date` (for absolute reset times).
    public let rateLimitFields: ResponseFieldSelection

    /// Whether to tee a response's body into the cache.
    ///
    /// - Parameters:
    ///   - method: The request's method.
    ///   - path: Its path and query as the client sent them.
    ///   - request: Its header fields as the client sent them.
    ///   - status: The upstream's status.
    ///   - response: The response's header fields as the proxy sends them to the client.
    ///   - now: Unix nanoseconds when the head arrived.
    /// - Returns: The admission to fill with the body, or `nil` when the response is not stored.
    public func cacheAdmission(
        method: HTTPRequest.Method,
        path: String,
        request: HTTPFields,
        status: HTTPResponse.Status,
        response: HTTPFields,
        now: Int64
    ) -> CacheAdmission? {
        guard let settings = self.cacheSettings else { return nil }
        let decision = CachePolicy.admission(
            method: method, request: request, status: status, response: response, ttl: settings.ttl,
            maxBody: settings.maxBody, ignoredVary: self.ignoredVary, now: now
        )
        switch decision {
        case .failure(let refusal):
            self.logger.trace("response not cached", metadata: ["proxy": "\(self.proxy)", "reason": "\(refusal)"])
            return nil
        case .success(let policy):
            return CacheAdmission(
                primary: CacheKey.Primary(method: method.rawValue, target: path), request: request,
                headers: response, policy: policy, arrivedAt: now, maxBody: settings.maxBody,
                bodyless: method == .head
            )
        }
    }

    /// Stores a response whose body has ended (unless it was abandoned as too large).
    ///
    /// - Parameter now: Unix nanoseconds when the body ended.
    public func store(_ admission: CacheAdmission, now: Int64) {
        guard self.cacheSettings != nil, !admission.abandoned else { return }
        var headers = admission.headers
        headers[.age] = nil
        headers[.oauthtopCache] = nil
        let response = CachedResponse(
            headers: headers, body: admission.body, storedAt: admission.arrivedAt,
            initialAge: admission.policy.initialAge, lifetime: admission.policy.lifetime
        )
        // A body that took longer than its freshness to arrive is stale already.
        guard response.isFresh(now: now) else { return }
        self.cache.withLock { cache in
            _ = cache.insert(response, for: admission.primary, vary: admission.policy.vary, request: admission.request)
        }
    }

    /// Entries and bytes in the cache (for status output and tests); zeros without a cache.
    public var cacheUsage: (entries: Int, bytes: Int) {
        self.cache.withLock { ($0.count, $0.bytes) }
    }
}
