import OAuthTopConfig
import Primitives
import TokenManager

extension TokenEvent.Kind {
    /// An upstream auth error and what the proxy did (`proxy`, `method`, `path`, `status`, `outcome`).
    public static let proxyReplay = TokenEvent.Kind(rawValue: "proxy_replay")
    /// A rate-limit block of an upstream started or grew (`proxy`, `status`, `retry_after_s`, `until`).
    public static let proxyRateLimited = TokenEvent.Kind(rawValue: "proxy_rate_limited")
    /// A request body was rewritten before a retry, or could not be (`proxy`, `field`, `from`, `to`, `result`).
    public static let proxyRewrite = TokenEvent.Kind(rawValue: "proxy_rewrite")
    /// Shedding started near the quota (`proxy`, `quota_used`, `limit`); quota components.
    public static let proxyShedding = TokenEvent.Kind(rawValue: "proxy_shedding")
    /// Shedding stopped; quota components.
    public static let proxySheddingEnded = TokenEvent.Kind(rawValue: "proxy_shedding_ended")
    /// The cache started answering near the quota; quota components.
    public static let proxyCacheMode = TokenEvent.Kind(rawValue: "proxy_cache_mode")
    /// The cache stopped answering; quota components.
    public static let proxyCacheModeEnded = TokenEvent.Kind(rawValue: "proxy_cache_mode_ended")
}

/// The events one proxy publishes through the manager (provider = the proxy's provider). They never carry
/// a token, a header value, a query string or a body: paths appear without their query.
struct ProxyEvents: Sendable {
    let proxy: String
    let provider: String
    let publish: @Sendable (TokenEvent) -> Void
    let clock: WallClock

    func replay(method: String, path: Substring, status: Int, outcome: ProxyMetrics.ReplayOutcome) {
        self.emit(
            .proxyReplay, severity: .info,
            [("method", .string(method)), ("path", .string(String(path))), ("status", .int(Int64(status))),
             ("outcome", .string(outcome.rawValue))]
        )
    }

    func rateLimited(status: Int, retryAfter: Duration, until: Int64) {
        self.emit(
            .proxyRateLimited, severity: .warning,
            [("status", .int(Int64(status))), ("retry_after_s", .double(retryAfter.seconds)),
             ("until", .string(RFC3339.seconds(unixNanoseconds: until)))]
        )
    }

    func rewrite(_ rule: ProxySettings.BodyRewrite, result: String) {
        var fields: [(key: String, value: TokenEvent.Value)] = [("field", .string(rule.jsonField))]
        if let from = rule.from { fields.append(("from", .string(from))) }
        fields.append(("to", .string(rule.to)))
        fields.append(("result", .string(result)))
        self.emit(.proxyRewrite, severity: .info, fields)
    }

    private func emit(_ kind: TokenEvent.Kind, severity: TokenEvent.Severity, _ fields: [(key: String, value: TokenEvent.Value)]) {
        self.publish(
            TokenEvent(
                kind: kind, timestamp: self.clock.now(), provider: self.provider, severity: severity,
                fields: [("proxy", .string(self.proxy))] + fields
            )
        )
    }
}
