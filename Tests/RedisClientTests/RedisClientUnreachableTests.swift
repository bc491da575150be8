import Logging
import OAuthTopTestKit
import RedisClient
import Testing

/// The client with no server: connection errors, the backoff, shutdown. No redis-server needed.
@Suite struct RedisClientUnreachableTests {
    @Test func aDownServerFailsFastDuringTheBackoff() async throws {
        let port = try freeLoopbackPort()
        var configuration = RedisConfiguration(host: "127.0.0.1", port: port)
        // The whole first delay is a minute, so the second command certainly falls inside it.
        configuration.reconnect = RedisReconnectBackoff(base: .seconds(120), max: .seconds(120), random: { 0 })
        let logs = LogCapture()
        let redis = try RedisClient(configuration: configuration, logger: logs.logger(label: "redis-test"))

        let first = await #expect(throws: RedisError.self) { try await redis.ping() }
        #expect(first?.isConnectionError == true)
        #expect(
            first?.description.contains("cannot connect to 127.0.0.1:\(port)") == true, "\(String(describing: first))")

        let second = await #expect(throws: RedisError.self) { try await redis.get("k") }
        #expect(second?.isConnectionError == true)
        #expect(second?.description.contains("next attempt in") == true, "\(String(describing: second))")
        #expect(logs.lines.filter { $0.contains("Redis connect failed") }.count == 1)

        await redis.shutdown()
        let afterShutdown = await #expect(throws: RedisError.self) { try await redis.ping() }
        #expect(afterShutdown?.shortCode == "shutdown")
    }

    @Test func aSubscriptionOnAShutDownClientThrows() async throws {
        let redis = try RedisClient(
            configuration: RedisConfiguration(host: "127.0.0.1", port: try freeLoopbackPort()),
            logger: Logger(label: "redis-test", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        await redis.shutdown()
        var events = redis.subscribe(to: ["ch"]).makeAsyncIterator()
        await #expect(throws: RedisError.self) { _ = try await events.next() }
    }

    @Test func aBadPoolSizeIsRefused() {
        var configuration = RedisConfiguration(host: "h")
        configuration.poolSize = 0
        #expect(throws: RedisConfigurationError.self) {
            _ = try RedisClient(configuration: configuration, logger: Logger(label: "redis-test"))
        }
    }
}
