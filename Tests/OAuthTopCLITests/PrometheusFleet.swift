import Foundation
import OAuthTopRuntime
import OAuthTopTestKit

/// A fleet as `watch --prometheus` sees one: two `oauthtop run --headless` daemons (one demo identity provider,
/// each daemon with its own refresh token, state directory, token socket and `/metrics` on a free loopback port),
/// and Debian's Prometheus scraping both every second. ``with(_:)`` returns once Prometheus has scraped both
/// (`up` is 1 for each) and stops everything afterwards.
///
/// ```swift
/// try await PrometheusFleet.with { fleet in
///     let client = try PrometheusQueryClient(baseURL: fleet.prometheusURL)
///     // fleet.instances: ["127.0.0.1:PORT1", "127.0.0.1:PORT2"]; fleet.daemons[0].socket, fleet.environment
/// }
/// ```
struct PrometheusFleet: Sendable {
    /// One daemon of the fleet.
    struct Daemon: Sendable {
        /// Its token socket.
        let socket: String
        /// `127.0.0.1:PORT` of its `/metrics`: the `instance` label Prometheus gives its series.
        let instance: String
        /// Its process id.
        let pid: Int32
    }

    /// `http://127.0.0.1:PORT` of Prometheus.
    let prometheusURL: String
    let daemons: [Daemon]
    /// The sandbox the daemons run in (config files, state directories).
    let sandbox: Sandbox
    /// An environment for further `oauthtop` commands (e.g. `watch --prometheus`), HOME and XDG inside the sandbox.
    let environment: [String: String]
    /// The provider both daemons hold.
    static let providerName = InProcessIdentityProvider.providerName
    /// Prometheus's `job` label of the daemons' series.
    static let job = "oauthtop"

    /// The `instance` labels of the daemons.
    var instances: [String] { self.daemons.map(\.instance) }

    /// Starts the identity provider, two daemons and Prometheus, waits until Prometheus has scraped both daemons,
    /// runs `body`, and stops everything.
    ///
    /// - Throws: When something does not start within its deadline (with its output), or `body`'s error.
    static func with<T: Sendable>(_ body: (PrometheusFleet) async throws -> T) async throws -> T {
        try await InProcessIdentityProvider.with { idp in
            try await Sandbox.with { sandbox in
                let second = [
                    "CLI_TEST_CLIENT_SECRET": InProcessIdentityProvider.clientSecret,
                    "CLI_TEST_REFRESH_TOKEN": idp.provider.issueRefreshToken(
                        clientID: InProcessIdentityProvider.clientID),
                ]
                return try await self.daemon(0, idp: idp, sandbox: sandbox, environment: idp.environment) { first in
                    try await self.daemon(1, idp: idp, sandbox: sandbox, environment: second) { other in
                        let daemons = [first, other]
                        let config = """
                            global: {scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s}
                            scrape_configs:
                              - job_name: \(Self.job)
                                static_configs:
                                  - targets: [\(daemons.map { "'\($0.instance)'" }.joined(separator: ", "))]

                            """
                        return try await PrometheusProcess.with(scrapeConfig: config) { prometheus in
                            let fleet = PrometheusFleet(
                                prometheusURL: prometheus.baseURL, daemons: daemons, sandbox: sandbox,
                                environment: sandbox.environment()
                            )
                            try await fleet.waitForScrapes(prometheus)
                            return try await body(fleet)
                        }
                    }
                }
            }
        }
    }

    /// Starts daemon `index` with `/metrics` on a port of its own choosing, runs `body` with it, and stops it.
    private static func daemon<T: Sendable>(
        _ index: Int, idp: InProcessIdentityProvider, sandbox: Sandbox, environment: [String: String],
        _ body: (Daemon) async throws -> T
    ) async throws -> T {
        let socket = sandbox.path("d\(index).sock")
        let config = try sandbox.write(
            "daemon-\(index).yaml",
            "state_dir: '\(sandbox.path("state-\(index)"))'\nsocket: {path: '\(socket)'}\n" + idp.providersYAML
        )
        let arguments = ["run", "--headless", "--config", config, "--listen", "127.0.0.1:0"]
        return try await ChildProcess.with(arguments, environment: sandbox.environment(environment)) { child in
            let metrics = try await child.waitForEvent("metrics_listening", timeout: .seconds(60))
            _ = try await child.waitForEvent("socket_listening", timeout: .seconds(60))
            guard let url = metrics.string("url"), let host = URL(string: url), let port = host.port else {
                throw CLITestFailure("daemon \(index) printed no metrics URL")
            }
            let result = try await body(Daemon(socket: socket, instance: "127.0.0.1:\(port)", pid: child.pid))
            child.terminate()
            _ = try? await child.waitForExit(timeout: .seconds(30))
            return result
        }
    }

    /// Polls `up` until Prometheus has scraped both daemons successfully.
    private func waitForScrapes(_ prometheus: PrometheusProcess) async throws {
        let client = try PrometheusQueryClient(baseURL: self.prometheusURL)
        let expected = Set(self.instances)
        let scraped = await eventually(timeout: .seconds(60), every: .milliseconds(250)) {
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let up = (try? await client.query("up{job=\"\(Self.job)\"} == 1", at: now)) ?? []
            return Set(up.map { $0.labels["instance"] }) == expected
        }
        guard scraped else {
            throw CLITestFailure(
                "Prometheus did not scrape both daemons (\(expected)) within 60 s: \(prometheus.logTail)")
        }
    }
}
