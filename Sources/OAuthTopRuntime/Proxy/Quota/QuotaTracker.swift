import CoreMetrics
import Synchronization
import TokenManager

/// The upstream's quota as one proxy last saw it: the last reading of each limit, each until its reset, and the
/// episodes of the cache and shedding thresholds.
///
/// `used` is the highest fraction used across the live limits (a request is refused by the upstream when any limit
/// is exhausted). A reading expires at its reset (then that limit counts as unknown, 0); one without a reset lasts
/// its policy's window, or ``unknownResetLifetime``, so a proxy that sheds (and so sends the upstream nothing new)
/// cannot stay stuck on an old reading. Expiry is checked whenever the tracker is asked or told something.
///
/// Crossing a threshold upward starts an episode and publishes one event (`proxy_cache_mode`, `proxy_shedding`);
/// falling below it (or the reading expiring) ends it (`proxy_shedding_ended`, `proxy_cache_mode_ended`). A
/// threshold is crossed when the quota used is at or above it.
public final class QuotaTracker: Sendable {
    /// How long a reading without a reset (and without a policy window) counts.
    public static let unknownResetLifetime = Duration.seconds(60)

    /// The quota now.
    public struct Status: Sendable, Hashable {
        /// The highest fraction used across the live limits (0 when none is known).
        public var used: Double
        /// The limit with that fraction, when any is known.
        public var limit: String?
        /// At or above the cache threshold: fresh cached responses are served.
        public var caching: Bool
        /// At or above the shedding threshold: non-critical requests are refused.
        public var shedding: Bool
        /// When shedding, the Unix nanoseconds at which every limit at or above the shedding threshold resets;
        /// `nil` when one of them has no known reset.
        public var shedUntil: Int64?
    }

    private struct Live {
        var reading: RateLimitReading
        /// Unix nanoseconds; `nil` when the reset is unknown (the reading still expires, at `staleAt`).
        var resetAt: Int64?
        var staleAt: Int64
    }

    private struct State {
        var readings: [String: Live] = [:]
        /// When the current episodes began (Unix nanoseconds).
        var cachingSince: Int64?
        var sheddingSince: Int64?
    }

    private let proxy: String
    private let provider: String
    /// `nil`: no cache episodes (no threshold, or no cache to serve from).
    let cacheAbove: Double?
    let shedAbove: Double?
    private let metrics: QuotaMetrics
    private let publish: @Sendable (TokenEvent) -> Void
    private let state = Mutex(State())

    /// Creates a tracker.
    ///
    /// - Parameters:
    ///   - proxy: The proxy's name (the `proxy` label and event field).
    ///   - provider: The provider whose token the proxy attaches (the events' provider).
    ///   - cacheAbove: The cache threshold, or `nil` for none.
    ///   - shedAbove: The shedding threshold, or `nil` for none.
    ///   - factory: Where the `oauth_proxy_quota_used_ratio` gauges are made.
    ///   - publish: Receives the episode events (the proxy passes `manager.publish`), in order; called under the
    ///     tracker's lock, so it must not block or call back into the tracker.
    public convenience init(
        proxy: String,
        provider: String,
        cacheAbove: Double?,
        shedAbove: Double?,
        factory: any MetricsFactory,
        publish: @escaping @Sendable (TokenEvent) -> Void
    ) {
        self.init(
            proxy: proxy, provider: provider, cacheAbove: cacheAbove, shedAbove: shedAbove,
            metrics: QuotaMetrics(proxy: proxy, factory: factory), publish: publish
        )
    }

    init(
        proxy: String,
        provider: String,
        cacheAbove: Double?,
        shedAbove: Double?,
        metrics: QuotaMetrics,
        publish: @escaping @Sendable (TokenEvent) -> Void
    ) {
        self.proxy = proxy
        self.provider = provider
        self.cacheAbove = cacheAbove
        self.shedAbove = shedAbove
        self.metrics = metrics
        self.publish = publish
    }

    /// Takes a response's readings (each replaces the last reading of its limit) and returns the quota now.
    ///
    /// - Parameters:
    ///   - readings: What the response's headers said.
    ///   - now: Unix nanoseconds when the response arrived.
    @discardableResult
    public func observe(_ readings: [RateLimitReading], now: Int64) -> Status {
        self.update(now: now) { state in
            for reading in readings {
                guard state.readings[reading.name] != nil || state.readings.count < QuotaMetrics.maxLimits else {
                    continue
                }
                let resetAt = reading.resetAfter.map { now &+ $0.nanoseconds }
                let lifetime = reading.window ?? Self.unknownResetLifetime
                state.readings[reading.name] = Live(
                    reading: reading, resetAt: resetAt, staleAt: resetAt ?? now &+ lifetime.nanoseconds
                )
                self.metrics.recordUsed(reading.used, limit: reading.name)
            }
        }
    }

    /// The quota now (expired readings dropped, episodes ended if they are over).
    public func status(now: Int64) -> Status {
        self.update(now: now) { _ in }
    }

    /// The last reading of every live limit, by name (for status output and tests).
    public func readings(now: Int64) -> [String: RateLimitReading] {
        _ = self.update(now: now) { _ in }
        return self.state.withLock { state in state.readings.mapValues(\.reading) }
    }

    private func update(now: Int64, _ change: (inout State) -> Void) -> Status {
        self.state.withLock { state in
            // A reading is over at its reset: the window starts again and the limit counts as unknown (0).
            for (name, live) in state.readings where live.staleAt <= now {
                state.readings[name] = nil
                self.metrics.recordUsed(0, limit: name)
            }
            change(&state)
            let status = self.status(of: state)
            // Published under the lock so that concurrent updates cannot publish an episode's end before its start;
            // episodes are rare, and `publish` (the manager's event bus) does not block or call back.
            for event in self.episodes(&state, status, now: now) { self.publish(event) }
            return status
        }
    }

    private func status(of state: State) -> Status {
        let top = state.readings.values.max { lhs, rhs in
            // Ties go to the name that sorts first, so the reported limit does not flap between equal ones.
            lhs.reading.used != rhs.reading.used
                ? lhs.reading.used < rhs.reading.used : lhs.reading.name > rhs.reading.name
        }
        let used = top?.reading.used ?? 0
        let caching = self.cacheAbove.map { used >= $0 } ?? false
        let shedding = self.shedAbove.map { used >= $0 } ?? false
        var shedUntil: Int64?
        if shedding, let threshold = self.shedAbove {
            let over = state.readings.values.filter { $0.reading.used >= threshold }
            let resets = over.compactMap(\.resetAt)
            shedUntil = resets.count == over.count ? resets.max() : nil
        }
        return Status(used: used, limit: top?.reading.name, caching: caching, shedding: shedding, shedUntil: shedUntil)
    }

    /// The events of the episodes that started or ended with `status`: rising, cache mode before shedding; falling,
    /// shedding before cache mode.
    private func episodes(_ state: inout State, _ status: Status, now: Int64) -> [TokenEvent] {
        var events: [TokenEvent] = []
        if status.caching, state.cachingSince == nil, let threshold = self.cacheAbove {
            state.cachingSince = now
            events.append(self.started(.proxyCacheMode, .info, status, threshold: threshold, now: now))
        }
        if status.shedding, state.sheddingSince == nil, let threshold = self.shedAbove {
            state.sheddingSince = now
            events.append(self.started(.proxyShedding, .warning, status, threshold: threshold, now: now))
        }
        if !status.shedding, let since = state.sheddingSince {
            state.sheddingSince = nil
            events.append(self.ended(.proxySheddingEnded, status, since: since, now: now))
        }
        if !status.caching, let since = state.cachingSince {
            state.cachingSince = nil
            events.append(self.ended(.proxyCacheModeEnded, status, since: since, now: now))
        }
        return events
    }

    private func started(
        _ kind: TokenEvent.Kind,
        _ severity: TokenEvent.Severity,
        _ status: Status,
        threshold: Double,
        now: Int64
    ) -> TokenEvent {
        TokenEvent(
            kind: kind, timestamp: now, provider: self.provider, severity: severity,
            fields: [
                ("proxy", .string(self.proxy)), ("quota_used", .double(Self.rounded(status.used))),
                ("limit", .string(status.limit ?? "default")), ("threshold", .double(threshold)),
            ]
        )
    }

    private func ended(_ kind: TokenEvent.Kind, _ status: Status, since: Int64, now: Int64) -> TokenEvent {
        TokenEvent(
            kind: kind, timestamp: now, provider: self.provider,
            fields: [
                ("proxy", .string(self.proxy)), ("quota_used", .double(Self.rounded(status.used))),
                ("duration_ms", .int(max(0, now &- since) / 1_000_000)),
            ]
        )
    }

    /// Four decimals: `0.97`, not `0.9700000000000001`.
    static func rounded(_ value: Double) -> Double {
        (value * 10_000).rounded() / 10_000
    }
}
