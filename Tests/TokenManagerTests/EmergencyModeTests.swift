import Clocks
import Foundation
import Logging
import MetricsTestKit
import OAuthTopTestKit
import Testing

@testable import TokenManager

@Suite("Emergency mode: no method gives a token (routed transport, test clocks)")
struct EmergencyModeTests {
    static func gauge(_ metrics: TestMetrics, _ provider: String) throws -> Double? {
        try metrics.expectGauge(OAuthMetricNames.emergencyMode, [("provider", provider)]).lastValue
    }

    @Test("with a chain: every method failing is one emergency per outage, the caller's error lists what was tried")
    func chainExhausted() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("emergency-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let approval = directory.appendingPathComponent("approve").path
        let transport = RoutedTransport()
        let metrics = TestMetrics()
        let events = EventRecorder()
        let manager = FallbackTests.manager(
            [
                FallbackTests.provider("p", fallback: [.alternateProvider("q"), FallbackTests.emergency(approvalFile: approval)]),
                FallbackTests.provider("q"),
            ],
            transport, clock: ImmediateClock(), metrics: metrics, events: events
        )
        #expect(try Self.gauge(metrics, "p") == 0, "the gauge exists at 0 from the start")
        var last: TokenRefreshError?
        for _ in 0..<5 {
            last = await #expect(throws: TokenRefreshError.self) { try await manager.token(for: "p") }
        }
        let error = try #require(last)
        #expect(error.isEmergency)
        #expect(error.tried.map(\.method) == ["oauth", "alternate_provider", "emergency_key"])
        #expect(error.tried.map(\.reason) == ["breaker_open", "alternate_failed", "not_approved"])
        #expect(error.tried[2].detail.contains("approval file"))
        let emergencies = events.kinds(.emergency).filter { $0.provider == "p" }
        #expect(emergencies.count == 1, "reported once per outage, not per caller")
        let emergency = try #require(emergencies.first)
        #expect(emergency.severity == .critical)
        #expect(emergency["methods"] == .int(3))
        #expect(try Self.gauge(metrics, "p") == 1)
        let status = try #require(manager.snapshot().first { $0.name == "p" }?.emergency)
        #expect(status.tried.count == 3)
        #expect(manager.snapshot().first { $0.name == "q" }?.emergency != nil, "q has no chain and no token: its own emergency")

        #expect(FileManager.default.createFile(atPath: approval, contents: Data()))
        #expect(try await manager.token(for: "p").fallback == .emergencyKey)
        let ended = try #require(events.kinds(.emergencyEnded).first { $0.provider == "p" })
        #expect(ended["recovered_by"] == .string("emergency_key"))
        #expect(try Self.gauge(metrics, "p") == 0)
        #expect(manager.snapshot().first { $0.name == "p" }?.emergency == nil)

        let text = (events.all.map { "\($0.fields)" } + [error.description, "\(error.tried)"]).joined(separator: "\n")
        for secret in [FallbackTests.emergencyValue, "client-secret-123", "refresh-p", "refresh-q"] {
            #expect(!text.contains(secret))
        }
    }

    @Test("without a chain: a failed round that leaves no usable token is an emergency; OAuth's return ends it")
    func oauthOnly() async throws {
        let clock = ImmediateClock()
        let transport = RoutedTransport()
        let metrics = TestMetrics()
        let events = EventRecorder()
        let manager = FallbackTests.manager(
            [FallbackTests.provider("p")], transport, clock: clock, metrics: metrics, events: events
        )
        for _ in 0..<3 { _ = try? await manager.token(for: "p") }
        #expect(events.kinds(.emergency).count == 1)
        #expect(events.kinds(.emergency).first?["oauth_reason"] == .string("connection_refused"))
        #expect(try Self.gauge(metrics, "p") == 1)
        transport.script("p.test", [.token("t1", expiresIn: 100)])
        try await clock.sleep(for: .seconds(30))
        #expect(try await manager.token(for: "p").value.revealed == "t1")
        #expect(events.kinds(.emergencyEnded).first?["recovered_by"] == .string("oauth"))
        #expect(try Self.gauge(metrics, "p") == 0)
    }

    @Test("a failed round while the token is still valid is not an emergency")
    func validTokenNoEmergency() async throws {
        let clock = ImmediateClock()
        let transport = RoutedTransport(["p.test": [.token("t1", expiresIn: 100)]])
        let events = EventRecorder()
        let manager = FallbackTests.manager(
            [FallbackTests.provider("p")], transport, clock: clock, metrics: TestMetrics(), events: events
        )
        let id = try #require(manager.provider(named: "p"))
        #expect(try await manager.token(for: id).value.revealed == "t1")
        _ = try? await manager.refresh(id)  // fails: nothing scripted; the token is still valid
        #expect(!events.kinds(.refreshFailed).isEmpty)
        #expect(events.kinds(.emergency).isEmpty)
    }
}
