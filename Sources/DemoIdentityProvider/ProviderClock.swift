/// The provider's view of time: offsets from a fixed origin, taken from any `Clock<Duration>`.
///
/// Type-erases the clock's `Instant` so the provider can hold an injected clock (a test clock, or
/// `ContinuousClock` by default) without becoming generic.
struct ProviderClock: Sendable {
    /// The time elapsed since the clock was wrapped.
    let now: @Sendable () -> Duration
    /// Sleeps until `now()` reaches the offset.
    let sleepUntil: @Sendable (Duration) async throws -> Void

    init<C: Clock>(_ clock: C) where C.Duration == Duration {
        let origin = clock.now
        self.now = { origin.duration(to: clock.now) }
        self.sleepUntil = { offset in try await clock.sleep(until: origin.advanced(by: offset), tolerance: nil) }
    }

    func sleep(for duration: Duration) async throws {
        guard duration > .zero else { return }
        try await self.sleepUntil(self.now() + duration)
    }
}
