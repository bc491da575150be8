import Clocks
import OAuthTopTestKit
import Testing

@testable import TokenManager

@Suite("A manual refresh the manager refuses says why in the event log")
struct ManualRefreshTests {
    @Test("a Retry-After beyond the limit: the next manual refresh is refused at once with a refresh_refused event")
    func refusedByRetryAfter() async throws {
        let clock = ImmediateClock()
        let transport = ScriptedTransport([
            .token("t1", expiresIn: 100),
            .status(429, headers: [("Retry-After", "600")]),
        ])
        let events = EventRecorder()
        let manager = SessionBehaviourTests.manager(transport, clock: clock, events: events)
        let id = try #require(manager.provider(named: "p"))
        _ = try await manager.token(for: id)
        // The first manual refresh runs a round, which the 429 ends: a failed round, not a refusal.
        let failed = await #expect(throws: TokenRefreshError.self) { try await manager.refresh(id) }
        #expect(failed?.code == .rateLimited)
        #expect(events.kinds(.refreshRefused).isEmpty)

        let refused = await #expect(throws: TokenRefreshError.self) { try await manager.refresh(id) }
        #expect(refused?.code == .rateLimited)
        #expect(transport.sent.count == 2, "a refused refresh sends nothing")
        // Published before `refresh` returned, whoever the caller is: the same second.
        let event = try #require(events.kinds(.refreshRefused).last)
        #expect(event.provider == "p")
        #expect(event.severity == .warning)
        #expect(event["reason"] == .string("rate_limited"))
        #expect(event["code"] == .string("rate_limited"))
        guard case .double(let retryIn)? = event["retry_in_s"] else {
            Issue.record("retry_in_s missing from \(event.fields)")
            return
        }
        #expect(retryIn > 590 && retryIn <= 600)
        let text = event.fields.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        for secret in ["client-secret-123", "refresh-1"] {
            #expect(!text.contains(secret), "no secret in the event")
        }
    }

    @Test("refusals are only reported for manual refreshes: a caller's refused token(for:) stays quiet")
    func callersAreNotReported() async throws {
        let clock = ImmediateClock()
        let transport = ScriptedTransport([
            .token("t1", expiresIn: 100),
            .status(429, headers: [("Retry-After", "600")]),
        ])
        let events = EventRecorder()
        let manager = SessionBehaviourTests.manager(transport, clock: clock, events: events)
        let id = try #require(manager.provider(named: "p"))
        _ = try await manager.token(for: id)
        _ = try? await manager.refresh(id)
        try await clock.sleep(for: .seconds(95))  // mandatory window: the caller is gated by Retry-After
        let gated = await #expect(throws: TokenRefreshError.self) { try await manager.token(for: id) }
        #expect(gated?.code == .rateLimited)
        #expect(events.kinds(.refreshRefused).isEmpty)
    }
}
