import TokenManager

extension TokenEvent.Kind {
    /// The proxy started refusing non-critical requests near the upstream's quota (warning; `proxy`, `quota_used`,
    /// `limit`, `threshold`). Once per episode.
    public static let proxyShedding = TokenEvent.Kind(rawValue: "proxy_shedding")
    /// The quota fell below the shedding threshold again, or its reading expired (`proxy`, `quota_used`,
    /// `duration_ms`).
    public static let proxySheddingEnded = TokenEvent.Kind(rawValue: "proxy_shedding_ended")
    /// The proxy started answering idempotent requests from its cache near the quota (`proxy`, `quota_used`,
    /// `limit`, `threshold`). Once per episode.
    public static let proxyCacheMode = TokenEvent.Kind(rawValue: "proxy_cache_mode")
    /// The quota fell below the cache threshold again (`proxy`, `quota_used`, `duration_ms`).
    public static let proxyCacheModeEnded = TokenEvent.Kind(rawValue: "proxy_cache_mode_ended")
}
