import Dashboard
import Foundation
import Logging
import OAuthTopTestKit
import Primitives
import Testing
import TokenManager

@testable import OAuthTopRuntime

/// What the runtime puts into the dashboard's detail and consumers views: provider rows from the manager's
/// snapshot and the history of its events, consumers from the registry and the socket, and the exec'd task
/// that a cancellation stops.
@Suite("Dashboard detail and consumers from the runtime")
struct DashboardDetailTests {
    static let endpoints = ["http://a.test/token", "http://b.test/token"]

    static func manager(_ transport: ScriptedTransport) -> OAuthTokenManager {
        let provider = ProviderConfiguration(
            name: "p", grant: .clientCredentials, tokenEndpoints: Self.endpoints, clientID: "client",
            clientSecret: Secret("client-secret-123"),
            retry: RetryPolicy(maxAttempts: 1, baseDelay: .milliseconds(1), maxDelay: .milliseconds(1))
        )
        return OAuthTokenManager(
            providers: [provider], transport: transport, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        )
    }

    @Test("a provider row carries the token's times, the endpoints' outcomes, rounds and the last error")
    func providerDetail() async throws {
        let transport = ScriptedTransport([.token("first-token", expiresIn: 3_600)])
        let manager = Self.manager(transport)
        let history = ProviderHistory(observing: manager)
        _ = try await manager.token(for: "p")

        var row = ProviderRow(try #require(manager.snapshot().first), history: history)
        #expect(row.tokenFingerprint == Secret("first-token").fingerprint)
        let issued = try #require(row.issuedAt)
        let advisory = try #require(row.advisoryAt)
        let mandatory = try #require(row.mandatoryAt)
        let expires = try #require(row.expiresAt)
        #expect(issued < advisory && advisory < mandatory && mandatory < expires)
        #expect(row.endpoint == Self.endpoints[0])
        #expect(row.endpoints.map(\.url) == Self.endpoints)
        #expect(row.endpoints[0].outcomes.map(\.succeeded) == [true])
        #expect(row.endpoints[1].outcomes.isEmpty)
        #expect(row.rounds == 1 && row.failedRounds == 0 && row.lastSuccessAt != nil)
        #expect(row.fallbackChain.isEmpty && row.fallbackInUse == nil)

        // The script is used up: the next round fails on both endpoints (connection errors).
        let id = try #require(manager.provider(named: "p"))
        await #expect(throws: TokenRefreshError.self) { _ = try await manager.refresh(id) }
        row = ProviderRow(try #require(manager.snapshot().first), history: history)
        #expect(row.endpoints[0].outcomes.map(\.succeeded) == [true, false])
        #expect(row.endpoints[1].outcomes.map(\.succeeded) == [false])
        #expect(row.endpoints[1].outcomes.last?.code.isEmpty == false)
        #expect(row.failedRounds == 1 && row.consecutiveFailures == 1)
        let error = try #require(row.lastError)
        #expect(!error.contains("first-token") && !error.contains("client-secret-123"))
    }

    @Test("the history keeps breaker transitions and the newest outcomes per endpoint, bounded")
    func history() {
        let history = ProviderHistory(capacity: 3)
        for index in 0..<5 {
            history.record(
                TokenEvent(kind: .attemptFailed, timestamp: Int64(index), provider: "p", fields: [
                    ("endpoint", .string("http://a.test/token")), ("outcome", .string("http_50\(index)")),
                ])
            )
        }
        history.record(
            TokenEvent(kind: .breakerTransition, timestamp: 7, provider: "p", fields: [
                ("from", .string("closed")), ("to", .string("open")),
            ])
        )
        history.record(TokenEvent(kind: .refreshStarted, timestamp: 8, provider: "p"))
        let endpoints = history.endpoints(of: "p", configured: ["http://b.test/token"])
        #expect(endpoints.map(\.url) == ["http://b.test/token", "http://a.test/token"])
        #expect(endpoints[1].outcomes.map(\.code) == ["http_502", "http_503", "http_504"])
        #expect(history.breakerChanges(of: "p") == [BreakerChange(time: 7, from: .closed, to: .open)])
        #expect(history.breakerChanges(of: "other").isEmpty)
    }

    @Test("consumers: exec'd tasks, sinks and socket clients become rows in that order; /v1/status keeps its form")
    func consumers() throws {
        let registry = ConsumerRegistry()
        var sink = Consumer(id: "/tmp/p.token", kind: .sink, provider: "p", name: "/tmp/p.token", since: 1)
        sink.lastAt = 5
        sink.lastOutcome = "success"
        sink.tokenFingerprint = "1a2b3c4d"
        registry.register(sink)
        registry.register(Consumer(id: "exec:42", kind: .exec, provider: "p", name: "job", pid: 42, since: 2))
        let socket = SocketConsumers()
        socket.record(SocketPeer(transport: .unix, pid: 77, uid: 1000), provider: "p", at: 3_000_000_000)
        socket.record(SocketPeer(transport: .unix, pid: 77, uid: 1000), provider: nil, at: 4_000_000_000)
        socket.record(.tcp, provider: nil, at: 4_500_000_000)

        let rows = DashboardSnapshotBuilder.rows(registry.snapshot() + socket.consumers())
        #expect(rows.map(\.kind) == [.exec, .sink, .socket, .socket])
        #expect(rows[0].pid == 42 && rows[0].name == "job")
        #expect(rows[1].tokenFingerprint == "1a2b3c4d" && rows[1].lastOutcome == "success")
        let unix = try #require(rows.first { $0.pid == 77 })
        #expect(unix.provider == "p" && unix.requests == 2 && unix.since == 3_000_000_000)
        #expect(unix.lastAt == 4_000_000_000 && unix.name == "unix uid 1000")
        let tcp = try #require(rows.first { $0.kind == .socket && $0.pid == nil })
        #expect(tcp.provider == "" && tcp.name == "tcp clients")

        let status = socket.list()
        #expect(status.map(\.transport) == ["tcp", "unix"], "most recently seen first")
        #expect(status[1].pid == 77 && status[1].uid == 1000 && status[1].requests == 2)
        #expect(status[1].lastProvider == "p" && status[0].lastProvider == nil)
        #expect(status[1].lastRequestAt == RFC3339.seconds(unixNanoseconds: 4_000_000_000))
        #expect(status[1].kind == "socket")
    }

    @Test("cancelling an exec'd task run without signal forwarding stops the command and removes its file")
    func execCancellation() async throws {
        let manager = Self.manager(ScriptedTransport([.token("exec-token", expiresIn: 3_600)]))
        let registry = ConsumerRegistry()
        var task = ExecTask(
            command: ["/bin/sh", "-c", "exec sleep 300"], provider: "p", source: ManagerTokenSource(manager: manager),
            environment: ProcessInfo.processInfo.environment, consumers: registry,
            logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        )
        task.forwardSignals = false
        task.displayName = "sleeper"
        let running = Task { try await task.run() }
        #expect(await eventually { registry.snapshot().contains { $0.kind == .exec } })
        let consumer = try #require(registry.snapshot().first)
        #expect(consumer.name == "sleeper" && consumer.pid != nil)
        #expect(consumer.tokenFingerprint == Secret("exec-token").fingerprint)
        running.cancel()
        let status = try await running.value
        #expect(status == 128 + SIGTERM)
        #expect(registry.snapshot().isEmpty)
        if let pid = consumer.pid { #expect(kill(pid, 0) != 0, "the command has ended") }
    }
}
