#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The manager's view of time: Unix wall time in nanoseconds plus a way to sleep.
///
/// Token expiry is wall time (`exp`, the store), so the manager keeps one wall-time axis. It is
/// built from any `Clock<Duration>`: wall time is the origin's wall time plus the clock's
/// elapsed time, so a test clock (swift-clocks' `TestClock`, `ImmediateClock`) drives expiry,
/// backoff, `Retry-After` and breaker cool-downs without real sleeps.
public struct ManagerClock: Sendable {
    private let readNow: @Sendable () -> Int64
    private let sleeper: @Sendable (Duration) async throws -> Void
    private let isSystem: Bool

    /// Wall time now, in nanoseconds since the Unix epoch.
    @inline(__always)
    public func now() -> Int64 { self.readNow() }

    /// Wall time now, possibly a few milliseconds behind: `CLOCK_REALTIME_COARSE` for the real
    /// clock (a quarter of the cost of a precise read), the same as ``now()`` for injected clocks.
    /// Good for comparing against refresh windows, which are seconds wide; not for latencies.
    @inline(__always)
    public func coarseNow() -> Int64 {
        if self.isSystem {
            var ts = timespec()
            clock_gettime(CLOCK_REALTIME_COARSE, &ts)
            return Int64(ts.tv_sec) &* 1_000_000_000 &+ Int64(ts.tv_nsec)
        }
        return self.readNow()
    }

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
    public static let system = ManagerClock(
        readNow: { ManagerClock.realtimeNanos() },
        sleeper: { try await ContinuousClock().sleep(for: $0) },
        isSystem: true
    )

    /// A clock whose wall time starts at `wallOriginNanos` and advances with `clock`.
    ///
    /// - Parameters:
    ///   - clock: Any clock measuring `Duration`; tests pass a `TestClock` or `ImmediateClock`.
    ///   - wallOriginNanos: The wall time at the moment of this call, in Unix nanoseconds.
    ///     Defaults to the real wall time; tests may shift it to simulate clock skew.
    public init<C: Clock>(_ clock: C, wallOriginNanos: Int64 = ManagerClock.realtimeNanos())
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
    @inline(__always)
    public static func realtimeNanos() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) &* 1_000_000_000 &+ Int64(ts.tv_nsec)
    }
}

extension Duration {
    /// The duration in whole nanoseconds, saturating at `Int64`'s bounds.
    public var nanoseconds: Int64 {
        let (seconds, attoseconds) = self.components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (sum, overflow2) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
        if overflow2 { return seconds < 0 ? .min : .max }
        return sum
    }

    /// The duration in seconds as a `Double`.
    public var seconds: Double {
        let (seconds, attoseconds) = self.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
