import Hummingbird
import HummingbirdTesting
import Logging
import Metrics
import OAuthTopTestKit
import ServiceLifecycle
import Synchronization
import Testing
import TokenManager

@testable import Telemetry

@Suite("/metrics over HTTP")
struct MetricsHTTPTests {
    static func collectorWithData() -> TelemetryCollector {
        let collector = TelemetryCollector()
        collector.describe(OAuthMetricNames.all)
        Counter(
            label: OAuthMetricNames.refreshAttempts,
            dimensions: [("provider", "demo"), ("endpoint", "primary"), ("outcome", "success")],
            factory: collector
        ).increment(by: 4)
        return collector
    }

    @Test(arguments: [TestingSetup.router, .live])
    func routerServesMetricsAndNothingElse(setup: TestingSetup) async throws {
        let collector = Self.collectorWithData()
        let application = Application(router: makeMetricsRouter(collector: collector))
        try await application.test(setup) { client in
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
                let body = String(buffer: response.body)
                #expect(body == collector.exposition())
                let line = "oauth_refresh_attempts_total{endpoint=\"primary\",outcome=\"success\",provider=\"demo\"} 4"
                #expect(body.contains(line + "\n"))
            }
            for (uri, method) in [("/", HTTPRequest.Method.get), ("/metrics/x", .get), ("/other", .get)] {
                try await client.execute(uri: uri, method: method) { response in
                    #expect(response.status == .notFound, "\(method) \(uri)")
                }
            }
            try await client.execute(uri: "/metrics", method: .post) { response in
                #expect(response.status == .notFound || response.status == .methodNotAllowed)
            }
        }
    }

    @Test func serverBindsPortZeroAndReportsTheAddress() async throws {
        let collector = Self.collectorWithData()
        let bound = Mutex<(host: String, port: Int)?>(nil)
        let server = MetricsServer(
            collector: collector,
            address: ListenAddress(host: "127.0.0.1", port: 0),
            logger: Logger(label: "test.metrics"),
            onListening: { host, port in bound.withLock { $0 = (host, port) } }
        )
        let group = ServiceGroup(services: [server], logger: Logger(label: "test.group"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let listening = await eventually { bound.withLock { $0 != nil } }
            #expect(listening, "MetricsServer did not report its address")
            if let address = bound.withLock({ $0 }) {
                #expect(address.host == "127.0.0.1")
                #expect(address.port > 0)
                let response = try await TestClient.withClient(host: address.host, port: address.port) { client in
                    try await client.get("/metrics")
                }
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
                #expect(response.body.map { String(buffer: $0) } == collector.exposition())
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }
}
