import AsyncHTTPClient
import Foundation
import NIOCore
import OAuthTopConfig
import OAuthTopRuntime
import OAuthTopTestKit
import Primitives
import Testing
import TokenManager

@Suite("API proxy: auth errors refresh once and replay once")
struct ProxyAuthReplayTests {
    @Test("a revoked token: one refresh and a successful replay, counted and told as an event")
    func revokedToken() async throws {
        try await withProxy { proxy in
            let secret = try proxy.secret
            let first = try await proxy.currentToken()
            let refreshesBefore = proxy.tokenEndpointRequests
            proxy.upstream.revoke(token: first)
            let answer = try await curl(
                proxy.url + "/v1/chat?stream=false", method: "POST",
                bearer: secret, ["--data", "{\"q\":1}"]
            )
            #expect(answer.status == 200)
            let second = try await proxy.currentToken()
            #expect(second != first)
            #expect(try Echo(answer.body).headers["authorization"] == bearerFingerprint(second))
            #expect(try Echo(answer.body).body == "{\"q\":1}", "the replay carries the same body")
            #expect(proxy.tokenEndpointRequests - refreshesBefore == 1)
            let received = proxy.upstream.received
            #expect(received.count == 2)
            #expect(received.map { ScriptedUpstream.bearer($0) } == [first, second])
            #expect(proxy.counter(ProxyMetrics.authReplays, [("outcome", "replayed")]) == 1)
            let event = try #require(proxy.events.of(.proxyReplay).first)
            #expect(event["proxy"] == .string("api") && event["outcome"] == .string("replayed"))
            #expect(event["path"] == .string("/v1/chat") && event["status"] == .int(401) && event["method"] == .string("POST"))
        }
    }

    @Test("100 concurrent calls after a revocation cause one refresh, and all succeed")
    func hundredConcurrent() async throws {
        try await withProxy { proxy in
            let secret = try proxy.secret
            let first = try await proxy.currentToken()
            let refreshesBefore = proxy.tokenEndpointRequests
            proxy.upstream.revoke(token: first)
            // As many connections as calls, so that all 100 are at the proxy at once.
            var configuration = HTTPClient.Configuration()
            configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 100)
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            let outcome: Result<[Int], any Error>
            do {
                outcome = .success(try await Self.callConcurrently(client: client, url: proxy.url, secret: secret))
            } catch {
                outcome = .failure(error)
            }
            try await client.shutdown()
            let statuses = try outcome.get()
            #expect(statuses.count == 100 && statuses.allSatisfy { $0 == 200 })
            #expect(proxy.tokenEndpointRequests - refreshesBefore == 1, "one refresh for 100 auth errors")
            // Every call the upstream refused with the revoked token was replayed once, with the new one.
            let refused = proxy.upstream.received.filter { ScriptedUpstream.bearer($0) == first }.count
            #expect(refused >= 1)
            #expect(proxy.counter(ProxyMetrics.authReplays, [("outcome", "replayed")]) == Int64(refused))
            #expect(proxy.upstream.received.count == 100 + refused)
        }
    }

    /// 100 concurrent GETs through the proxy; their statuses.
    static func callConcurrently(client: HTTPClient, url: String, secret: String) async throws -> [Int] {
        try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<100 {
                group.addTask {
                    var request = HTTPClientRequest(url: url + "/v1/item/\(index)")
                    request.headers.add(name: "Authorization", value: "Bearer \(secret)")
                    let response = try await client.execute(request, timeout: .seconds(60))
                    _ = try await response.body.collect(upTo: 1 << 20)
                    return Int(response.status.code)
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
    }

    @Test("a second auth error is passed through and counted, never looped")
    func failedAgain() async throws {
        try await withProxy { proxy in
            proxy.upstream.rejectAll(true)
            let answer = try await curl(proxy.url + "/v1/x", bearer: try proxy.secret)
            #expect(answer.status == 401)
            #expect(answer.body.trimmingCharacters(in: .newlines) == "token refused")
            #expect(proxy.upstream.received.count == 2, "the request and one replay")
            #expect(proxy.counter(ProxyMetrics.authReplays, [("outcome", "failed_again")]) == 1)
            #expect(proxy.events.of(.proxyReplay).first?["outcome"] == .string("failed_again"))
        }
    }

    @Test("a body beyond replay_body_limit streams through, and its auth error goes back to the client")
    func largeBodyNotReplayable() async throws {
        var options = ProxyOptions()
        options.authErrors = ProxySettings.AuthErrors(replayBodyLimit: 1024)
        try await withProxy(options) { proxy in
            proxy.upstream.rejectAll(true)
            let body = String(repeating: "x", count: 4096)
            let answer = try await curl(
                proxy.url + "/v1/upload", method: "POST", bearer: try proxy.secret, ["--data", body]
            )
            #expect(answer.status == 401)
            #expect(proxy.upstream.received.count == 1)
            #expect(proxy.upstream.received.first?.body.count == 4096)
            #expect(proxy.counter(ProxyMetrics.authReplays, [("outcome", "not_replayable")]) == 1)
            // Chunked (unknown length) beyond the limit: streamed too, not replayed.
            let chunked = try await curl(
                proxy.url + "/v1/upload", method: "POST",
                bearer: try proxy.secret, ["-H", "Transfer-Encoding: chunked", "--data", body]
            )
            #expect(chunked.status == 401)
            #expect(proxy.upstream.received.count == 2 && proxy.upstream.received.last?.body.count == 4096)
            #expect(proxy.counter(ProxyMetrics.authReplays, [("outcome", "not_replayable")]) == 2)
        }
    }

    @Test("a configured status (403) counts as an auth error too")
    func configuredStatus() async throws {
        var options = ProxyOptions()
        options.authErrors = ProxySettings.AuthErrors(statuses: [403])
        try await withProxy(options) { proxy in
            proxy.upstream.script([.init(status: 403, body: "forbidden")])
            let answer = try await curl(proxy.url + "/v1/x", bearer: try proxy.secret)
            #expect(answer.status == 200)
            #expect(proxy.counter(ProxyMetrics.authReplays, [("outcome", "replayed")]) == 1)
        }
    }
}
