/// Polls `condition` until it holds or `timeout` passes; returns whether it held.
///
/// Tests wait for other tasks, servers and processes this way instead of sleeping a fixed time and hoping.
///
/// - Parameters:
///   - timeout: How long to keep trying; generous, since a loaded machine is slow (the deadline only bounds
///     a failing test's duration).
///   - interval: The pause between two checks.
///   - condition: Checked once more after the deadline, so a condition that became true at the last moment
///     still counts.
/// - Returns: Whether `condition` held before the deadline.
public func eventually(
    timeout: Duration = .seconds(30),
    every interval: Duration = .milliseconds(10),
    _ condition: () async throws -> Bool
) async rethrows -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: timeout)
    while clock.now < deadline {
        if try await condition() { return true }
        try? await clock.sleep(for: interval)
    }
    return try await condition()
}
