/// One limit's state as an upstream reported it in a response's rate-limit headers.
///
/// Built only by ``RateLimitHeaders``, which guarantees `0 ≤ remaining ≤ limit`, so ``used`` is within 0...1.
public struct RateLimitReading: Sendable, Hashable {
    /// The limit's name: the policy's name (`RateLimit`), `X-RateLimit-Resource`, the configured limit's name, or
    /// `default`. The `limit` label of `oauth_proxy_quota_used_ratio`.
    public var name: String
    /// The quota of the window (requests, or tokens for a vendor's token limit).
    public var limit: Int64
    /// What is left of it.
    public var remaining: Int64
    /// When the window resets, measured from the response; `nil` when the headers do not say.
    public var resetAfter: Duration?
    /// The policy's window (`w`), when it is known: how long a reading without a reset stays meaningful.
    public var window: Duration?

    /// The fraction of the quota used, `1 − remaining/limit`; a limit of 0 counts as fully used.
    public var used: Double {
        guard self.limit > 0 else { return 1 }
        return min(1, max(0, 1 - Double(self.remaining) / Double(self.limit)))
    }

    public init(name: String, limit: Int64, remaining: Int64, resetAfter: Duration? = nil, window: Duration? = nil) {
        self.name = name
        self.limit = limit
        self.remaining = remaining
        self.resetAfter = resetAfter
        self.window = window
    }
}
