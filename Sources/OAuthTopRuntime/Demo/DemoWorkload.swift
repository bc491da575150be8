import Logging
import ServiceLifecycle
import TokenManager

/// Simulated long-running tasks: each asks the manager for a token before every "API call",
/// as real work would. They make the refresh conflicts and expiries of the demo real.
public struct DemoWorkload: Service {
    private let manager: OAuthTokenManager
    private let provider: ProviderID
    private let tasks: Int
    private let interval: Duration

    /// - Parameters:
    ///   - tasks: How many concurrent tasks.
    ///   - interval: Pause between one task's calls.
    public init(manager: OAuthTokenManager, provider: ProviderID, tasks: Int = 8, interval: Duration = .milliseconds(250)) {
        self.manager = manager
        self.provider = provider
        self.tasks = tasks
        self.interval = interval
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                for index in 0..<self.tasks {
                    group.addTask {
                        // Stagger the tasks so their calls do not all line up.
                        try? await Task.sleep(for: self.interval * Double(index) / Double(self.tasks))
                        while !Task.isCancelled {
                            _ = try? await self.manager.token(for: self.provider)
                            try? await Task.sleep(for: self.interval)
                        }
                    }
                }
            }
        }
    }
}
