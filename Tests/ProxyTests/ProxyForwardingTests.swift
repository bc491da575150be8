import Foundation
import OAuthTopRuntime
import OAuthTopTestKit
import Primitives
import Testing

/// The echo the scripted upstream answered, as the test reads it.
/// How the scripted upstream's echo shows a bearer token.
func bearerFingerprint(_ token: String) -> String { "Bearer sha256:\(Secret.fingerprint(of: token))" }

struct Echo {
    let method: String
    let target: String
    let headers: [String: String]
    let body: String

    init(_ text: String) throws {
        let value = try #require(JSONValue.parse(Array(text.utf8)), "not an echo: \(text.prefix(200))")
        self.method = value.object?["method"]?.string ?? ""
        self.target = value.object?["target"]?.string ?? ""
        self.headers = (value.object?["headers"]?.object ?? [:]).compactMapValues(\.string)
        self.body = value.object?["body"]?.string ?? ""
    }
}

@Suite("API proxy: forwarding with curl over TCP and a Unix socket")
struct ProxyForwardingTests {
    @Test("curl over TCP with the secret from the file: the request reaches base path + path + query with the token")
    func curlOverTCP() async throws {
        try await withProxy { proxy in
            let secret = try proxy.secret
            let answer = try await curl(
                proxy.url + "/v1/things?limit=2&b=%20x", method: "POST",
                bearer: secret, ["-H", "Content-Type: application/json", "--data", "{\"a\":1}"]
            )
            #expect(answer.status == 200)
            let echo = try Echo(answer.body)
            #expect(echo.method == "POST")
            #expect(echo.target == "/base/v1/things?limit=2&b=%20x")
            #expect(echo.body == "{\"a\":1}")
            let token = try await proxy.currentToken()
            #expect(echo.headers["authorization"] == bearerFingerprint(token), "the manager's token, not the local secret")
            #expect(echo.headers["host"] == "127.0.0.1:\(proxy.upstream.port)")
            #expect(echo.headers["content-type"] == "application/json")
            #expect(proxy.counter(ProxyMetrics.requests, [("class", "2xx")]) == 1)
        }
    }

    @Test("curl --unix-socket: served to this user on a 0600 socket, no secret needed")
    func curlOverUnixSocket() async throws {
        var options = ProxyOptions()
        options.unix = true
        try await withProxy(options) { proxy in
            let path = try #require(proxy.listening.socketPath)
            var info = stat()
            #expect(lstat(path, &info) == 0 && info.st_mode & 0o777 == 0o600)
            #expect(proxy.listening.url == "unix:\(path)")
            let answer = try await curl("http://localhost/v1/me", unixSocket: path)
            #expect(answer.status == 200)
            let echo = try Echo(answer.body)
            #expect(echo.target == "/base/v1/me")
            #expect(echo.headers["authorization"] == bearerFingerprint(try await proxy.currentToken()))
        }
    }

    @Test("the demo identity provider's protected resource accepts the token the proxy attaches")
    func demoProtectedResource() async throws {
        var options = ProxyOptions()
        options.toIdentityProvider = true
        try await withProxy(options) { proxy in
            let answer = try await curl(proxy.url + "/api/resource", bearer: try proxy.secret)
            #expect(answer.status == 200, "\(answer.body)")
            #expect(answer.body.contains("\"sub\""))
            #expect(proxy.identityProvider.statistics().resourceAccepted == 1)
        }
    }

    @Test("hop-by-hop fields, the client's credentials and the critical header never reach the upstream")
    func hopByHop() async throws {
        try await withProxy { proxy in
            let secret = try proxy.secret
            let answer = try await curl(
                proxy.url + "/x",
                secretHeaders: ["Proxy-Authorization: Bearer \(secret)", "Authorization: Bearer client-own-key-123"],
                [
                    "-H", "Connection: keep-alive, X-Hop", "-H", "X-Hop: 1", "-H", "Keep-Alive: timeout=5",
                    "-H", "TE: trailers", "-H", "Upgrade: h2c", "-H", "OAuthtop-Priority: critical",
                    "-H", "X-Kept: yes",
                ]
            )
            #expect(answer.status == 200)
            let echo = try Echo(answer.body)
            #expect(echo.headers["authorization"] == bearerFingerprint(try await proxy.currentToken()))
            #expect(!echo.body.contains("client-own-key-123") && !answer.body.contains("client-own-key-123"))
            for name in ["x-hop", "keep-alive", "te", "upgrade", "proxy-authorization", "oauthtop-priority"] {
                #expect(echo.headers[name] == nil, "\(name) was forwarded")
            }
            #expect(echo.headers["x-kept"] == "yes")
            #expect(echo.headers["via"] == "1.1 oauthtop", "a gateway's Via (RFC 9110 §7.6.3)")
        }
    }

    @Test("an unreachable upstream is a JSON 502 naming no secret; a silent one a 504")
    func upstreamFailures() async throws {
        var options = ProxyOptions()
        options.upstreamURL = "http://127.0.0.1:\(try freeLoopbackPort())/v1"
        try await withProxy(options) { proxy in
            let answer = try await curl(proxy.url + "/x", bearer: try proxy.secret)
            #expect(answer.status == 502)
            let json = try #require(JSONValue.parse(Array(answer.body.utf8))?.object)
            #expect(json["error"]?.string == "upstream_unreachable")
            #expect(json["proxy"]?.string == "api")
            #expect(proxy.counter(ProxyMetrics.requests, [("class", "5xx")]) == 1)
        }
        var silent = ProxyOptions()
        silent.readTimeout = .milliseconds(300)
        try await withProxy(silent) { proxy in
            // The upstream sends its head only after the first pause: longer than the read timeout.
            proxy.upstream.script([])
            let answer = try await curl(
                proxy.url + "/slow?delay_ms=3000", bearer: try proxy.secret
            )
            #expect(answer.status == 504, "\(answer.body)")
            #expect(JSONValue.parse(Array(answer.body.utf8))?.object?["error"]?.string == "upstream_timeout")
        }
    }
}
