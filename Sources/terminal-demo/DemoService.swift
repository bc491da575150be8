import Cells
import ServiceLifecycle
import Terminal

/// The demo as a service: the normal shutdown path is SIGTERM/SIGINT -> the group's graceful
/// shutdown -> this loop ends -> ``TerminalScreen/stop()``.
struct DemoService: Service {
    func run() async throws {
        let screen = TerminalScreen()
        try await screen.start(options: TerminalOptions(restoreSignals: .alongsideServiceGroup))
        let lastKey = await DemoLoop.run(on: screen) { Task.isShuttingDownGracefully || Task.isCancelled }
        await screen.stop()
        print("terminal-demo: graceful shutdown, screen restored, last key \(lastKey)")
    }
}
