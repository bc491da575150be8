import ServiceLifecycle

/// A service that returns after `duration` (or at graceful shutdown), so that, configured with
/// `successTerminationBehavior: .gracefullyShutdownGroup`, it ends a timed run cleanly.
public struct ShutdownAfter: Service {
    public let duration: Duration

    public init(_ duration: Duration) { self.duration = duration }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            try await Task.sleep(for: self.duration)
        }
    }
}
