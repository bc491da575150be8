import Foundation
import NIOCore
import Logging
import OAuthTopRuntime
import OAuthTopTestKit
import RedisClient

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A fleet that coordinates through Redis: `count` `oauthtop run --headless` daemons holding the same provider
/// (one demo identity provider, the same initial refresh token), each with its own state directory, token socket,
/// `/metrics` on a free loopback port and `instance_id` (`fleet-0`, `fleet-1`...), and the same `coordination:`
/// section pointing at one real `redis-server`. The encryption key is made for the fleet and reaches the daemons
/// through their environment only.
///
/// ```swift
/// try await RedisServer.with { redis in
///     try await InProcessIdentityProvider.with(tokenLifetime: .seconds(10)) { idp in
///         try await RedisFleet.with(count: 8, redis: redis, idp: idp) { fleet in
///             // fleet.daemons[i].socket, .metricsURL, .process; fleet.lockHolder()
///         }
///     }
/// }
/// ```
struct RedisFleet: Sendable {
    /// One daemon of the fleet.
    struct Daemon: Sendable {
        let index: Int
        /// Its `coordination.instance_id`, the first word of the lock key's value while it holds the lock.
        let instanceID: String
        /// Its token socket.
        let socket: String
        /// `http://127.0.0.1:PORT/metrics`.
        let metricsURL: String
        let process: ChildProcess

        /// The value of every sample of `family` whose labels contain `labels` (e.g. `source="local"`), summed.
        func metric(_ family: String, labels: String = "") async throws -> Double {
            let body = try await LoopbackHTTP.get(self.metricsURL).body
            return Self.sum(family, labels: labels, in: body)
        }

        static func sum(_ family: String, labels: String, in exposition: String) -> Double {
            var total = 0.0
            for line in exposition.split(separator: "\n") where line.hasPrefix(family) {
                let rest = line.dropFirst(family.count)
                guard rest.first == "{" || rest.first == " " else { continue }
                guard labels.isEmpty || rest.contains(labels) else { continue }
                guard let value = rest.split(separator: " ").last.flatMap({ Double($0) }) else { continue }
                total += value
            }
            return total
        }
    }

    let daemons: [Daemon]
    let redis: RedisServer
    let idp: InProcessIdentityProvider
    let sandbox: Sandbox
    /// The provider every daemon holds.
    static let providerName = InProcessIdentityProvider.providerName
    static let keyPrefix = "fleettest:"
    /// The lock key of the provider.
    static let lockKey = "\(keyPrefix){\(providerName)}:lock"

    /// Starts `count` daemons against `redis` and `idp`, waits until each listens on its socket and `/metrics` and
    /// holds a token, runs `body`, and stops them (SIGTERM, then SIGKILL) whatever happens.
    ///
    /// - Parameters:
    ///   - lease: `coordination.redis.lease`.
    ///   - wait: `coordination.redis.wait`.
    ///   - refresh: The provider's `refresh:` mapping (flow style), e.g. `{advisory: 50%}`.
    static func with<T: Sendable>(
        count: Int,
        redis: RedisServer,
        idp: InProcessIdentityProvider,
        lease: String = "10s",
        wait: String = "15s",
        refresh: String = "{advisory: 50%, jitter: 5%}",
        _ body: (RedisFleet) async throws -> T
    ) async throws -> T {
        try await Sandbox.with { sandbox in
            var key = [UInt8](repeating: 0, count: 32)
            var generator = SystemRandomNumberGenerator()
            for index in key.indices { key[index] = generator.next() }
            var environment = idp.environment
            environment["FLEET_TEST_STATE_KEY"] = key.map { String(format: "%02x", $0) }.joined()
            let environmentForAll = sandbox.environment(environment)
            var configs: [String] = []
            for index in 0..<count {
                let yaml = """
                    state_dir: '\(sandbox.path("state-\(index)"))'
                    socket: {path: '\(sandbox.path("d\(index).sock"))'}
                    coordination:
                      redis: {url: 'redis://127.0.0.1:\(redis.port)', lease: \(lease), wait: \(wait), \
                    key_prefix: '\(Self.keyPrefix)'}
                      encryption_key: {env: FLEET_TEST_STATE_KEY}
                      instance_id: fleet-\(index)

                    """ + idp.providersYAML + "    refresh: \(refresh)\n"
                configs.append(try sandbox.write("daemon-\(index).yaml", yaml))
            }
            return try await self.start(0, configs: configs, environment: environmentForAll, sandbox: sandbox, []) {
                daemons in
                try await body(RedisFleet(daemons: daemons, redis: redis, idp: idp, sandbox: sandbox))
            }
        }
    }

    /// Starts daemon `index` and, inside it, the rest; then waits for all of them and runs `body`.
    private static func start<T: Sendable>(
        _ index: Int,
        configs: [String],
        environment: [String: String],
        sandbox: Sandbox,
        _ started: [ChildProcess],
        _ body: ([Daemon]) async throws -> T
    ) async throws -> T {
        guard index < configs.count else {
            var daemons: [Daemon] = []
            for (index, child) in started.enumerated() {
                let metrics = try await child.waitForEvent("metrics_listening", timeout: .seconds(90))
                _ = try await child.waitForEvent("socket_listening", timeout: .seconds(90))
                guard let url = metrics.string("url") else { throw CLITestFailure("daemon \(index): no metrics URL") }
                daemons.append(
                    Daemon(
                        index: index, instanceID: "fleet-\(index)", socket: sandbox.path("d\(index).sock"),
                        metricsURL: url.hasSuffix("/metrics") ? url : url + "/metrics", process: child
                    ))
            }
            // Each holds a token: refreshed itself, or taken from the fleet.
            for daemon in daemons {
                let holds = await eventually(timeout: .seconds(90), every: .milliseconds(50)) {
                    let events = (try? daemon.process.events()) ?? []
                    return events.contains { $0.event == "refresh_succeeded" || $0.event == "token_adopted" }
                }
                guard holds else {
                    throw CLITestFailure(
                        "daemon \(daemon.index) holds no token after 90 s: \(daemon.process.stdoutText.suffix(2000))"
                            + " stderr: \(daemon.process.stderrText.suffix(2000))")
                }
            }
            let result = try await body(daemons)
            for child in started { child.terminate() }
            for child in started { _ = try? await child.waitForExit(timeout: .seconds(30)) }
            return result
        }
        let arguments = ["run", "--headless", "--config", configs[index], "--listen", "127.0.0.1:0"]
        return try await ChildProcess.with(arguments, environment: environment) { child in
            try await self.start(
                index + 1, configs: configs, environment: environment, sandbox: sandbox, started + [child], body
            )
        }
    }

    /// A client of the fleet's Redis (short timeouts); the caller shuts it down.
    func redisClient() throws -> RedisClient {
        try RedisClient(
            configuration: self.redis.configuration,
            logger: Logger(label: "fleet-test.redis") { _ in SwiftLogNoOpLogHandler() }
        )
    }

    /// Every daemon's events so far, by daemon.
    func events() throws -> [[EventLine]] {
        try self.daemons.map { try $0.process.events() }
    }
}
