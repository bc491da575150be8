import Primitives
import ServiceLifecycle

/// Samples a ``TelemetryCollector`` at a fixed interval, as a swift-service-lifecycle `Service`.
///
/// It calls ``TelemetryCollector/sample(at:)`` once at start and then on every tick of `interval` measured on
/// the injected clock (ticks missed while the process was stalled are skipped, not replayed). Timestamps come
/// from the injected wall-time function. It stops on graceful shutdown or cancellation.
public struct TelemetrySamplerService: Service {
    private let collector: TelemetryCollector
    private let interval: Duration
    private let clock: any Clock<Duration>
    private let now: @Sendable () -> Int64

    /// Creates the sampler.
    ///
    /// - Parameters:
    ///   - collector: The collector to sample.
    ///   - interval: Time between samples; `nil` (or a non-positive value) uses the collector's resolution.
    ///   - clock: The clock to sleep on; tests pass a `TestClock`.
    ///   - now: Wall time in milliseconds since the Unix epoch, stamped on each sample; pass the
    ///     same ``WallClock``'s `nowMilliseconds` as the rest of the process.
    public init(
        collector: TelemetryCollector,
        interval: Duration? = nil,
        clock: any Clock<Duration> = ContinuousClock(),
        now: @escaping @Sendable () -> Int64 = { WallClock.system.nowMilliseconds() }
    ) {
        self.collector = collector
        let resolution = collector.configuration.resolution > .zero ? collector.configuration.resolution : .seconds(1)
        if let interval, interval > .zero {
            self.interval = interval
        } else {
            self.interval = resolution
        }
        self.clock = clock
        self.now = now
    }

    /// Samples until graceful shutdown or cancellation.
    public func run() async throws {
        let clock = self.clock
        await cancelWhenGracefulShutdown {
            await self.loop(clock: clock)
        }
    }

    private func loop<C: Clock>(clock: C) async where C.Duration == Duration {
        var deadline = clock.now
        while !Task.isCancelled {
            self.collector.sample(at: self.now())
            let current = clock.now
            repeat {
                deadline = deadline.advanced(by: self.interval)
            } while deadline <= current
            do {
                try await clock.sleep(until: deadline, tolerance: nil)
            } catch {
                return
            }
        }
    }
}
