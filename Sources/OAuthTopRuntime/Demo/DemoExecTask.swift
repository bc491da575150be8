import Foundation
import Logging
import ServiceLifecycle
import TokenManager

/// The demo's exec'd task: a real child process run the way `oauthtop exec` runs one (an ``ExecTask``: a
/// token file rewritten before every expiry, the task registered as a consumer, its metrics counted). The
/// child is a small shell loop that reads `$OAUTHTOP_TOKEN_FILE` every two seconds and calls the demo
/// identity provider's protected `GET /api/resource` with it (with `curl`, when installed).
///
/// The child prints nothing: its output goes to `/dev/null`, so it never writes under the dashboard, and the
/// token travels to `curl` on a pipe, never in an argument. At graceful shutdown the child gets SIGTERM and
/// its token file is removed; should the demo die without a shutdown (SIGKILL), the loop ends within two
/// seconds on its own. Should it end on its own, it is started again a second later.
public struct DemoExecTask: Service {
    private let task: ExecTask
    private let logger: Logger

    /// The child's shell script. `$OAUTHTOP_DEMO_RESOURCE` is the resource's URL.
    public static let script = """
        exec </dev/null >/dev/null 2>&1
        trap 'kill "$pause" 2>/dev/null; exit 0' TERM INT HUP
        while kill -0 "$PPID" 2>/dev/null; do
          if [ -s "$OAUTHTOP_TOKEN_FILE" ] && command -v curl >/dev/null; then
            printf 'header = "Authorization: Bearer %s"\\n' "$(cat "$OAUTHTOP_TOKEN_FILE")" \\
              | curl -sf -m 5 -o /dev/null -K - "$OAUTHTOP_DEMO_RESOURCE"
          fi
          sleep 2 & pause=$!
          wait "$pause"
        done
        """

    /// The name the consumers list shows.
    public static let displayName = "demo-task.sh: GET /api/resource every 2s"

    /// - Parameters:
    ///   - manager: Where the token comes from (in this process, as `oauthtop exec` without a daemon).
    ///   - provider: Whose token the task holds.
    ///   - resourceURL: The protected resource the task calls.
    ///   - assembly: The consumer registry, request counter and collector the task is counted in.
    public init(
        manager: OAuthTokenManager, provider: String, resourceURL: String, assembly: ManagerAssembly, logger: Logger
    ) {
        var environment = ProcessInfo.processInfo.environment
        environment["OAUTHTOP_DEMO_RESOURCE"] = resourceURL
        var task = ExecTask(
            command: ["/bin/sh", "-c", Self.script, "demo-task.sh"], provider: provider,
            source: ManagerTokenSource(manager: manager), environment: environment, consumers: assembly.consumers,
            requests: assembly.tokenRequests, metrics: ExecMetrics(provider: provider, factory: assembly.collector),
            logger: logger
        )
        task.forwardSignals = false
        task.displayName = Self.displayName
        self.task = task
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let status = try await self.task.run()
                    self.logger.info("demo task ended", metadata: ["status": "\(status)"])
                } catch {
                    self.logger.info("demo task not started", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }
}
