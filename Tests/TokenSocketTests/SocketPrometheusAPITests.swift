import AsyncHTTPClient
import Foundation
import OAuthTopRuntime
import OAuthTopTestKit
import Telemetry
import Testing

/// Prometheus's query API on the token socket: behind the same access check, counted like the other endpoints,
/// and read by the same client that reads a Prometheus server.
@Suite("Token socket Prometheus API")
struct SocketPrometheusAPITests {
    /// `x_total{a="1"}` counting up once a second until now.
    static func collector(now: Int64) -> TelemetryCollector {
        let collector = TelemetryCollector()
        let counter = collector.makeCounter(label: "x_total", dimensions: [("a", "1")])
        for second in stride(from: 60, through: 0, by: -1) {
            counter.increment(by: 1)
            collector.sample(at: now - Int64(second) * 1000)
        }
        return collector
    }

    @Test("PrometheusQueryClient and curl read /api/v1/query_range, /query and /alerts over the Unix socket")
    func unixSocket() async throws {
        let now = Int64(Date().timeIntervalSince1970 * 1000) / 1000 * 1000
        var options = SocketOptions()
        options.prometheusAPI = PrometheusAPIEndpoint(source: Self.collector(now: now))
        try await withSocketServer(options) { fixture in
            let socket = fixture.listening.path
            let client = PrometheusQueryClient(endpoint: .unix(socket))
            let series = try await client.queryRange(
                "increase(x_total[10s])", start: now - 30_000, end: now, step: 10_000)
            #expect(series.count == 1)
            #expect(series.first?.labels["a"] == "1" && series.first?.points.count == 4)
            let instant = try await client.query("x_total", at: now)
            #expect(instant.first?.value == 61)
            #expect(try await client.alertRows().isEmpty)

            let (status, body) = try await curl(
                socket: socket,
                "/api/v1/query_range?query=x_total&start=\(now / 1000 - 10)&end=\(now / 1000)&step=5"
            )
            #expect(status == 200)
            let decoded = try PrometheusAPIDecoder.query(Array(body.utf8))
            #expect(decoded.result.series.first?.points.count == 3)
            let (postStatus, postBody) = try await curl(
                socket: socket, "/api/v1/query", method: "POST",
                extra: ["--data-urlencode", "query=sum(x_total)", "--data-urlencode", "time=\(now / 1000)"]
            )
            #expect(postStatus == 200, "\(postBody)")
            #expect(try PrometheusAPIDecoder.query(Array(postBody.utf8)).result.elements.first?.value == 61)

            let (badStatus, badBody) = try await curl(socket: socket, "/api/v1/query_range?query=x_total&start=oops")
            #expect(badStatus == 400)
            #expect(badBody.contains(#""errorType":"bad_data""#))
            do {
                _ = try await client.queryRange("sum(", start: now, end: now, step: 1000)
                Issue.record("a query that does not parse answered")
            } catch let error as PrometheusAPIError {
                #expect(error.code == .server && error.errorType == "bad_data" && error.status == 400)
                #expect(error.description.contains(socket + "/api/v1/query_range"), "\(error)")
            }
            let (typeStatus, _) = try await curl(
                socket: socket, "/api/v1/query", method: "POST", extra: ["-H", "Content-Type: text/plain", "-d", "x"]
            )
            #expect(typeStatus == 415)
            #expect(fixture.requests(provider: "none", outcome: "success") == 5)
            #expect(fixture.requests(provider: "none", outcome: "bad_data") == 2)
        }
    }

    @Test("over TCP the API needs the bearer secret; the client sends it for a TCP endpoint")
    func tcpBearer() async throws {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        var options = SocketOptions()
        options.tcp = true
        options.prometheusAPI = PrometheusAPIEndpoint(source: Self.collector(now: now))
        try await withSocketServer(options) { fixture in
            let url = try #require(fixture.listening.tcpURL)
            let secret = try BearerSecret.read(from: try #require(fixture.listening.secretFile))
            let anonymous = try PrometheusQueryClient(baseURL: url)
            let error = try #require(
                await Self.failure { () async throws(PrometheusAPIError) in
                    _ = try await anonymous.alerts()
                })
            #expect(error.status == 401)
            #expect(!error.description.contains(secret.authorizationHeader.dropFirst(7)))
            let client = PrometheusQueryClient(endpoint: .tcp(baseURL: url, secret: secret))
            #expect(try await client.query("x_total", at: now).count == 1)
            let withHeader = try PrometheusQueryClient(
                baseURL: url + "/", headers: [(name: "Authorization", value: secret.authorizationHeader)]
            )
            #expect(try await withHeader.query("x_total", at: now).count == 1)
        }
    }

    @Test("a client names the URL and the failure: nothing listening, a bad base URL, no socket")
    func clientErrors() async throws {
        let port = try freeLoopbackPort()
        // The default client reports a refused connection at once (not after retrying until the timeout).
        let nobody = try PrometheusQueryClient(baseURL: "http://127.0.0.1:\(port)")
        do {
            _ = try await nobody.queryRange("up", start: 0, end: 1000, step: 1000)
            Issue.record("an answer from nobody")
        } catch let error as PrometheusAPIError {
            #expect(error.code == .connection)
            #expect(error.description.hasPrefix("http://127.0.0.1:\(port)/api/v1/query_range: "), "\(error)")
        }
        #expect(throws: PrometheusAPIError.self) { try PrometheusQueryClient(baseURL: "localhost:9090") }
        #expect(throws: PrometheusAPIError.self) { try PrometheusQueryClient(baseURL: "ftp://127.0.0.1/") }
        let missing = PrometheusQueryClient(endpoint: .unix("/nonexistent/oauthtop.sock"))
        let error = try #require(
            await Self.failure { () async throws(PrometheusAPIError) in
                _ = try await missing.alerts()
            })
        #expect(error.code == .connection && error.description.contains("no oauthtop daemon at /nonexistent"))
    }

    @Test("a base URL's path prefix and the given headers are used; errors name the URL, never a header's value")
    func prefixHeadersAndFailures() async throws {
        let secret = "Bearer prometheus-proxy-secret-0123456789"
        try await LoopbackReceiver.with(behaviour: { index in
            index == 0 ? .status(200) : index == 1 ? .status(502) : .hang
        }) { receiver in
            let client = try PrometheusQueryClient(
                baseURL: receiver.baseURL + "/prom/", headers: [(name: "Authorization", value: secret)]
            )
            let impatient = try PrometheusQueryClient(
                baseURL: receiver.baseURL + "/prom/", headers: [(name: "Authorization", value: secret)],
                timeout: .milliseconds(500)
            )
            // 200 with an empty body: not JSON.
            let empty = try #require(
                await Self.failure { () async throws(PrometheusAPIError) in
                    _ = try await client.queryRangeResponse("up", start: 1_000, end: 61_500, step: 15_000)
                })
            #expect(empty.code == .notJSON && empty.status == 200)
            #expect(empty.description.hasPrefix(receiver.baseURL + "/prom/api/v1/query_range: "), "\(empty)")
            let request = try #require(receiver.requests.first)
            #expect(request.path == "/prom/api/v1/query_range")
            #expect(request.authorization == secret)
            #expect(request.headers["content-type"] == "application/x-www-form-urlencoded")
            #expect(request.body == "query=up&start=1&end=61.500&step=15")
            // 502 without Prometheus's envelope.
            let gateway = try #require(
                await Self.failure { () async throws(PrometheusAPIError) in
                    _ = try await client.queryResponse("up", at: 2_000)
                })
            #expect(gateway.code == .http && gateway.status == 502)
            #expect(receiver.requests.last?.body == "query=up&time=2")
            // No answer within the timeout.
            let hung = try #require(
                await Self.failure { () async throws(PrometheusAPIError) in
                    _ = try await impatient.queryResponse("up", at: 2_000)
                })
            #expect(hung.code == .timeout, "\(hung)")
            for error in [empty, gateway, hung] {
                #expect(!error.description.contains("prometheus-proxy-secret"))
            }
        }
    }

    @Test("a socket without the API answers its paths 404")
    func withoutAPI() async throws {
        try await withSocketServer { fixture in
            let client = PrometheusQueryClient(endpoint: .unix(fixture.listening.path))
            let error = try #require(
                await Self.failure { () async throws(PrometheusAPIError) in
                    _ = try await client.alerts()
                })
            #expect(error.status == 404 && error.code == .http, "\(error)")
            #expect(fixture.requests(provider: "none", outcome: "not_found") == 1)
        }
    }

    /// The error `body` throws, `nil` when it returns.
    static func failure(_ body: () async throws(PrometheusAPIError) -> Void) async -> PrometheusAPIError? {
        do {
            try await body()
            return nil
        } catch {
            return error
        }
    }
}
