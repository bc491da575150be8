import AsyncHTTPClient
import DemoIdentityProvider
import Foundation
import NIOCore
import OAuthTopTestKit
import Testing

/// The `lost_answer` fault and the refresh-token reuse interval.
@Suite("Lost answers and the reuse interval")
struct LostAnswerTests {
    static func refresh(_ harness: Harness, _ token: String, timeout: TimeAmount = .seconds(10)) async throws -> Reply {
        try await harness.token([("grant_type", "refresh_token"), ("refresh_token", token)], timeout: timeout)
    }

    @Test("lost_answer without a delay processes the refresh, then closes the connection without an answer")
    func closes() async throws {
        let schedule = FaultSchedule(faults: [Fault(kind: .lostAnswer(delay: nil), count: 1)])
        try await withProvider(schedule: schedule) { harness in
            let token = harness.provider.issueRefreshToken(clientID: testClient.id)
            await #expect(throws: (any Error).self) { try await Self.refresh(harness, token) }
            // It was processed: the refresh token was rotated away (no reuse interval) and a token issued.
            #expect(harness.provider.statistics().accessTokensIssued == 1)
            #expect(harness.provider.statistics().faultHits == [1])
            let retry = try await Self.refresh(harness, token)
            #expect(retry.status == 400)
            #expect(retry.error == "invalid_grant")
        }
    }

    @Test("lost_answer with a delay rotates before holding the answer back beyond the client's timeout")
    func delays() async throws {
        let schedule = FaultSchedule(faults: [Fault(kind: .lostAnswer(delay: .seconds(60)), count: 1)])
        try await withProvider(schedule: schedule) { harness in
            let token = harness.provider.issueRefreshToken(clientID: testClient.id)
            await #expect(throws: HTTPClientError.self) {
                try await Self.refresh(harness, token, timeout: .seconds(2))
            }
            // The rotation happened before the delay (a loaded machine may take a while to get there): the
            // old token is refused while the answer is still held back.
            #expect(await eventually(timeout: .seconds(30)) { harness.provider.statistics().accessTokensIssued == 1 })
            let retry = try await Self.refresh(harness, token)
            #expect(retry.error == "invalid_grant")
            #expect(harness.provider.statistics().accessTokensIssued == 1)
        }
    }

    @Test("a reuse interval from the schedule accepts the rotated-away token once more, with a new refresh token")
    func reuseInterval() async throws {
        let schedule = FaultSchedule(
            faults: [Fault(kind: .lostAnswer(delay: nil), count: 1)], refreshTokenReuseInterval: .seconds(30)
        )
        try await withProvider(schedule: schedule) { harness in
            #expect(harness.provider.schedule.refreshTokenReuseInterval == .seconds(30))
            let token = harness.provider.issueRefreshToken(clientID: testClient.id)
            await #expect(throws: (any Error).self) { try await Self.refresh(harness, token) }
            let retry = try await Self.refresh(harness, token)
            #expect(retry.status == 200)
            let rotated = try #require(retry.json?["refresh_token"] as? String)
            #expect(rotated != token)
            #expect(harness.provider.statistics().accessTokensIssued == 2)
            // The token the retry got works as usual.
            #expect(try await Self.refresh(harness, rotated).status == 200)
        }
    }
}
