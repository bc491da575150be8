import Coordination
import CoreMetrics
import Foundation
import Logging
import OAuthTopConfig
import Primitives
import RedisClient
import TokenManager

/// The fleet coordinator of a `coordination:` section, built one way for every command: the Redis client
/// of the section's URL, password and TLS options, the Redis-backed store, the state sealer of the
/// encryption key, and ``FleetCoordinator`` with this process's instance id and host.
public struct FleetCoordination: Sendable {
    public let coordinator: FleetCoordinator
    /// The client; ``shutdown()`` closes its connections.
    public let client: RedisClient

    /// Builds the coordinator; nothing connects until the first refresh round.
    ///
    /// - Parameters:
    ///   - settings: The parsed section.
    ///   - metricsFactory: Where the `oauth_coordination_*` metrics go (the manager's collector).
    ///   - logger: The coordinator's and the client's logger.
    /// - Throws: ``RedisConfigurationError`` for a URL or TLS option the client cannot use, or
    ///   `SealedStateError` for a key that is not 32 bytes; neither message shows a secret.
    public static func make(
        _ settings: CoordinationSettings,
        metricsFactory: any MetricsFactory,
        logger: Logger
    ) throws -> FleetCoordination {
        var configuration = try RedisConfiguration(url: settings.redis.url, password: settings.redis.password)
        if let tls = settings.redis.tls, configuration.tls.isEnabled {
            configuration.tls = .enabled(caFile: tls.caFile, serverName: tls.serverName)
        }
        let client = try RedisClient(configuration: configuration, logger: logger)
        let sealer = try StateSealer(keyText: settings.encryptionKey)
        let host = ProcessInfo.processInfo.hostName
        let options = FleetCoordinator.Options(
            instanceID: settings.instanceID ?? "\(host)-\(getpid())",
            host: host,
            keyPrefix: settings.redis.keyPrefix,
            lease: settings.redis.lease,
            wait: settings.redis.wait
        )
        let coordinator = FleetCoordinator(
            store: RedisCoordinationStore(client: client), sealer: sealer, options: options,
            metricsFactory: metricsFactory, logger: logger
        )
        return FleetCoordination(coordinator: coordinator, client: client)
    }

    /// Closes the Redis connections (the end of `run`, `exec`, `watch`).
    public func shutdown() async {
        await self.client.shutdown()
    }
}
