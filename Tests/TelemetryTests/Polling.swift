/// Polls `condition` until it holds or `timeout` passes; returns whether it held.
///
/// Tests wait for other tasks this way instead of sleeping a fixed time.
func eventually(
    timeout: Duration = .seconds(10),
    _ condition: @Sendable () async -> Bool
) async -> Bool {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while ContinuousClock.now < deadline {
        if await condition() {
            return true
        }
        await Task.yield()
        try? await Task.sleep(for: .milliseconds(1))
    }
    return await condition()
}
