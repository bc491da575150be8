import Clocks
import Logging
import Metrics
import OAuthTopTestKit
import Primitives
import ServiceLifecycle
import Testing

@testable import Telemetry

@Suite("Sampler service")
struct SamplerServiceTests {
    /// Milliseconds elapsed on the test clock, so sample timestamps are deterministic.
    static func milliseconds(on clock: TestClock<Duration>) -> Int64 {
        TestClock<Duration>.Instant().duration(to: clock.now).milliseconds
    }

    static func timestamps(_ collector: TelemetryCollector) -> [Int64] {
        collector.series(named: "ticks_total").first?.samples.map(\.timestamp) ?? []
    }

    /// Advances the clock until the sampler has stored `count` samples; repeated zero advances resume a
    /// sleeper that registered after the first advance.
    static func advance(_ clock: TestClock<Duration>, by duration: Duration, untilSamples count: Int,
                        in collector: TelemetryCollector) async -> Bool {
        await clock.advance(by: duration)
        return await eventually {
            if Self.timestamps(collector).count >= count {
                return true
            }
            await clock.advance(by: .zero)
            return false
        }
    }

    @Test func samplesOnEveryTickOfTheInjectedClock() async throws {
        let clock = TestClock<Duration>()
        let collector = TelemetryCollector()
        let counter = Counter(label: "ticks_total", factory: collector)
        counter.increment()
        let sampler = TelemetrySamplerService(
            collector: collector,
            interval: .seconds(1),
            clock: clock,
            now: { Self.milliseconds(on: clock) }
        )
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await sampler.run() }
            #expect(await eventually { Self.timestamps(collector).count == 1 })
            counter.increment()
            #expect(await Self.advance(clock, by: .seconds(1), untilSamples: 2, in: collector))
            for expected in 3...5 {
                #expect(await Self.advance(clock, by: .seconds(1), untilSamples: expected, in: collector))
            }
            #expect(Self.timestamps(collector) == [0, 1000, 2000, 3000, 4000])
            #expect(collector.series(named: "ticks_total").first?.samples.map(\.value) == [1, 2, 2, 2, 2])
            tasks.cancelAll()
            try await tasks.waitForAll()
        }
    }

    @Test func defaultIntervalIsTheCollectorResolution() async throws {
        let clock = TestClock<Duration>()
        let collector = TelemetryCollector(configuration: .init(resolution: .milliseconds(250)))
        Counter(label: "ticks_total", factory: collector).increment()
        let sampler = TelemetrySamplerService(collector: collector, clock: clock, now: { Self.milliseconds(on: clock) })
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await sampler.run() }
            #expect(await eventually { Self.timestamps(collector).count == 1 })
            #expect(await Self.advance(clock, by: .milliseconds(250), untilSamples: 2, in: collector))
            #expect(Self.timestamps(collector) == [0, 250])
            tasks.cancelAll()
            try await tasks.waitForAll()
        }
    }

    @Test func stopsOnGracefulShutdown() async throws {
        let clock = TestClock<Duration>()
        let collector = TelemetryCollector()
        Counter(label: "ticks_total", factory: collector).increment()
        let sampler = TelemetrySamplerService(collector: collector, clock: clock, now: { Self.milliseconds(on: clock) })
        let group = ServiceGroup(services: [sampler], logger: Logger(label: "test.sampler"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            #expect(await eventually { Self.timestamps(collector).count == 1 })
            await group.triggerGracefulShutdown()
            // The group returns only once the sampler's run() has returned.
            try await tasks.waitForAll()
        }
        #expect(Self.timestamps(collector) == [0])
    }
}
