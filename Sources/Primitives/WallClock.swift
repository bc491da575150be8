#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one injected clock: Unix wall time in nanoseconds plus a way to sleep.
///
/// Token expiry is wall time (`exp`, the store), so every layer keeps one wall-time axis. It is
/// built from any `Clock<Duration>`: wall time is the origin's wall time plus the clock's
/// elapsed time, so a test clock (swift-clocks' `TestClock`, `ImmediateClock`) drives expiry,
/// backoff, `Retry-After`, breaker cool-downs, the demo identity provider's fault windows and
/// the telemetry sampler's timestamps without real sleeps.
public struct WallClock: Sendable {
    // Usable from inlinable code so that the token manager's hot path inlines `coarseNow()` across
    // the module boundary, as it did when the clock was part of TokenManager.
    @usableFromInline let readNow: @Sendable () -> Int64
    private let sleeper: @Sendable (Duration) async throws -> Void
    @usableFromInline let isSystem: Bool

    /// Wall time now, in nanoseconds since the Unix epoch.
    @inlinable
    public func now() -> Int64 { self.readNow() }

    /// Wall time now, possibly a few milliseconds behind: `CLOCK_REALTIME_COARSE` for the real
    /// clock (a quarter of the cost of a precise read), the same as ``now()`` for injected clocks.
    /// Good for comparing against refresh windows, which are seconds wide; not for latencies.
    @inlinable
    public func coarseNow() -> Int64 {
        if self.isSystem {
            var ts = timespec()
            #if canImport(Glibc)
            clock_gettime(CLOCK_REALTIME_COARSE, &ts)
            #else
            clock_gettime(CLOCK_REALTIME, &ts)
            #endif
            return Int64(ts.tv_sec) &* 1_000_000_000 &+ Int64(ts.tv_nsec)
        }
        return self.readNow()
    }

    /// Wall time now, in whole milliseconds since the Unix epoch (the telemetry samples' stamps).
    public func nowMilliseconds() -> Int64 {
        let nanos = self.now()
        return nanos >= 0 ? nanos / 1_000_000 : (nanos - 999_999) / 1_000_000
    }

    /// Wall time now as a `Duration` since the Unix epoch, for arithmetic on `Duration` offsets.
    public func sinceEpoch() -> Duration { .nanoseconds(self.now()) }

    /// Sleeps for `duration` on the underlying clock (returns at once for zero or less).
    public func sleep(for duration: Duration) async throws {
        guard duration > .zero else { return }
        try await self.sleeper(duration)
    }

    /// Sleeps until wall time `deadline` (nanoseconds since the Unix epoch).
    public func sleep(untilNanos deadline: Int64) async throws {
        try await self.sleep(for: .nanoseconds(deadline - self.now()))
    }

    /// The real clock: `CLOCK_REALTIME` for now, `ContinuousClock` for sleeping.
    public static let system = WallClock(
        readNow: { WallClock.realtimeNanos() },
        sleeper: { try await ContinuousClock().sleep(for: $0) },
        isSystem: true
    )

    /// A clock whose wall time starts at `wallOriginNanos` and advances with `clock`.
    ///
    /// - Parameters:
    ///   - clock: Any clock measuring `Duration`; tests pass a `TestClock` or `ImmediateClock`.
    ///   - wallOriginNanos: The wall time at the moment of this call, in Unix nanoseconds.
    ///     Defaults to the real wall time; tests may shift it to simulate clock skew.
    public init<C: Clock>(_ clock: C, wallOriginNanos: Int64 = WallClock.realtimeNanos())
    where C.Duration == Duration {
        let origin = clock.now
        self.readNow = { wallOriginNanos + origin.duration(to: clock.now).nanoseconds }
        self.sleeper = { try await clock.sleep(for: $0) }
        self.isSystem = false
    }

    private init(
        readNow: @escaping @Sendable () -> Int64,
        sleeper: @escaping @Sendable (Duration) async throws -> Void,
        isSystem: Bool
    ) {
        self.readNow = readNow
        self.sleeper = sleeper
        self.isSystem = isSystem
    }

    /// `CLOCK_REALTIME` in nanoseconds since the Unix epoch.
    @inlinable
    public static func realtimeNanos() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) &* 1_000_000_000 &+ Int64(ts.tv_nsec)
    }
}
