import Primitives
import Synchronization

/// The upstream's rate-limit block of one proxy: after a 429 or 503 with `Retry-After`, no request is sent
/// to the upstream before the time it named.
///
/// A later `Retry-After` extends the block, an earlier one never shortens it. Times are Unix nanoseconds on
/// the proxy's ``WallClock``.
final class UpstreamBlock: Sendable {
    private let until = Mutex<Int64>(0)

    /// The block's end, or `nil` when the upstream is not blocked at `now`.
    func blockedUntil(now: Int64) -> Int64? {
        let until = self.until.withLock { $0 }
        return until > now ? until : nil
    }

    /// Blocks the upstream until `end`, unless it is blocked longer already.
    ///
    /// - Returns: Whether the block started or grew (what the `proxy_rate_limited` event reports).
    @discardableResult
    func block(until end: Int64) -> Bool {
        self.until.withLock { until in
            guard end > until else { return false }
            until = end
            return true
        }
    }
}
