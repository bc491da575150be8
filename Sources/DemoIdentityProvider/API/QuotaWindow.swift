import Hummingbird
import Primitives

/// The demo API's quota use in the current fixed window (``DemoAPIQuota``), kept in the provider's state.
struct QuotaWindow: Sendable {
    /// Which window the count is for: provider uptime divided by the window's length.
    private var index: Int64 = 0
    private var used = 0

    /// Uses one unit at `time` (provider uptime) if one is left.
    ///
    /// - Returns: The reading after the request: `allowed` is false when the quota was used up (nothing is
    ///   used then).
    mutating func take(_ quota: DemoAPIQuota, at time: Duration) -> QuotaReading {
        self.roll(quota, to: time)
        guard self.used < quota.limit else {
            return self.reading(quota, at: time, allowed: false)
        }
        self.used += 1
        return self.reading(quota, at: time, allowed: true)
    }

    /// The reading at `time` without using anything (for answers that do not count: refusals and faults).
    mutating func peek(_ quota: DemoAPIQuota, at time: Duration) -> QuotaReading {
        self.roll(quota, to: time)
        return self.reading(quota, at: time, allowed: self.used < quota.limit)
    }

    private mutating func roll(_ quota: DemoAPIQuota, to time: Duration) {
        let index = Int64(max(.zero, time) / quota.window)
        if index != self.index {
            self.index = index
            self.used = 0
        }
    }

    private func reading(_ quota: DemoAPIQuota, at time: Duration, allowed: Bool) -> QuotaReading {
        let windowEnd = quota.window * Int(self.index + 1)
        return QuotaReading(
            quota: quota, remaining: max(0, quota.limit - self.used), resetAfter: windowEnd - time, allowed: allowed
        )
    }
}

/// The quota as one answer reports it.
struct QuotaReading: Sendable {
    var quota: DemoAPIQuota
    var remaining: Int
    /// Until the window ends (always positive).
    var resetAfter: Duration
    /// Whether the request was within the quota.
    var allowed: Bool

    /// The seconds until the reset, rounded up: what `t`, `Retry-After` and the reset time say, so a client
    /// that waits them is never early.
    var resetSeconds: Int64 { max(1, self.resetAfter.wholeSecondsRoundedUp) }

    // Valid field-name tokens (RFC 9110 §5.1), so the names always exist.
    static let rateLimitPolicy = HTTPFields.Element.Name("RateLimit-Policy")!
    static let rateLimit = HTTPFields.Element.Name("RateLimit")!
    static let limitHeader = HTTPFields.Element.Name("X-RateLimit-Limit")!
    static let remainingHeader = HTTPFields.Element.Name("X-RateLimit-Remaining")!
    static let resetHeader = HTTPFields.Element.Name("X-RateLimit-Reset")!

    /// The rate-limit fields: the IETF draft's structured-field pair and the `X-RateLimit-*` trio.
    ///
    /// - Parameter nowSince1970: The wall-clock time in Unix seconds, for `X-RateLimit-Reset`.
    func headers(nowSince1970: Int64) -> HTTPFields {
        let policy = "\"\(self.quota.policy)\""
        var headers = HTTPFields()
        headers[Self.rateLimitPolicy] = "\(policy);q=\(self.quota.limit);w=\(self.quota.window.wholeSecondsRoundedUp)"
        headers[Self.rateLimit] = "\(policy);r=\(self.remaining);t=\(self.resetSeconds)"
        headers[Self.limitHeader] = "\(self.quota.limit)"
        headers[Self.remainingHeader] = "\(self.remaining)"
        headers[Self.resetHeader] = "\(nowSince1970 + self.resetSeconds)"
        return headers
    }
}
