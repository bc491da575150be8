import AsyncHTTPClient
import Foundation
import NIOCore
import OAuthTopRuntime
import OAuthTopTestKit
import Testing
import TokenManager

@Suite("Token socket single-flight")
struct SingleFlightTests {
    @Test(
        "200 concurrent token requests during a refresh cause exactly one token-endpoint request",
        .timeLimit(.minutes(3))
    )
    func concurrentRequestsShareOneRefresh() async throws {
        var options = SocketOptions()
        options.baseLatency = .milliseconds(800)
        // The test is about single-flight, not timeouts: at the loaded start of the suite on two cores, the 800 ms
        // answer once came after the default ladder's 5 s first step, and a refresh token whose answer was lost
        // cannot be retried (rotation without reuse). One patient step.
        options.timeouts = TimeoutLadder(steps: [TimeoutStep(connect: .seconds(10), total: .seconds(30))])
        try await withSocketServer(options) { fixture in
            // A manual refresh is in flight (the identity provider answers after 800 ms) when the requests arrive.
            let manager = fixture.manager
            let provider = fixture.provider
            let refresh = Task { try await manager.refresh(provider) }
            #expect(await eventually { manager.snapshot()[0].refreshing })

            var configuration = HTTPClient.Configuration()
            configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 256
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            let url = TokenSocketEndpoint.unix(fixture.listening.path).url("/v1/token/\(SocketFixture.providerName)")
            let answers: [(Int, String)]
            do {
                answers = try await withThrowingTaskGroup(of: (Int, String).self) { group in
                    for _ in 0..<200 {
                        group.addTask {
                            let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(60))
                            let body = try await response.body.collect(upTo: 1 << 20)
                            return (Int(response.status.code), String(buffer: body))
                        }
                    }
                    var answers: [(Int, String)] = []
                    for try await answer in group { answers.append(answer) }
                    return answers
                }
            } catch {
                try await client.shutdown()
                throw error
            }
            try await client.shutdown()

            let refreshed = try await refresh.value
            #expect(answers.count == 200)
            #expect(answers.allSatisfy { $0.0 == 200 }, "statuses: \(Set(answers.map(\.0)))")
            let tokens = try answers.map { try JSONDecoder().decode(SocketToken.self, from: Data($0.1.utf8)) }
            #expect(Set(tokens.map(\.accessToken)) == [refreshed.value], "every request got the refresh's token")
            #expect(tokens.allSatisfy { $0.tokenType == "Bearer" && $0.expiresIn > 200 })
            #expect(fixture.tokenEndpointRequests == 1)
            #expect(fixture.requests(outcome: "success") == 200)
        }
    }
}
