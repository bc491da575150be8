import Synchronization

/// A clock that records how long each caller asked to sleep, then sleeps on `base`.
///
/// Wrap a test clock (swift-clocks' `TestClock`) to assert a waiting decision exactly (the backoff chosen,
/// a `Retry-After` honoured) and then advance past it, instead of measuring wall time.
public final class SleepRecordingClock<Base: Clock<Duration> & Sendable>: Clock, Sendable
where Base.Instant: Sendable {
    public typealias Instant = Base.Instant

    /// The clock that sleeps (advance it, when it is a test clock).
    public let base: Base
    private let requested = Mutex<[Duration]>([])

    public init(_ base: Base) {
        self.base = base
    }

    public var now: Instant { self.base.now }
    public var minimumResolution: Duration { self.base.minimumResolution }

    /// The durations callers asked to sleep, measured from the clock's time when they asked, in order.
    public var sleeps: [Duration] { self.requested.withLock { $0 } }

    public func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        let duration = self.base.now.duration(to: deadline)
        self.requested.withLock { $0.append(duration) }
        try await self.base.sleep(until: deadline, tolerance: tolerance)
    }
}
