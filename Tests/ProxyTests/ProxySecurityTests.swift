import Foundation
import OAuthTopRuntime
import OAuthTopTestKit
import Primitives
import Testing
import TokenManager

@Suite("API proxy: security refusals")
struct ProxySecurityTests {
    @Test("TCP without the secret, or with a wrong one, is refused with 401 and never forwarded")
    func secretRequired() async throws {
        try await withProxy { proxy in
            let missing = try await curl(proxy.url + "/x")
            #expect(missing.status == 401)
            #expect(JSONValue.parse(Array(missing.body.utf8))?.object?["error"]?.string == "proxy_unauthorized")
            let wrong = try await curl(proxy.url + "/x", bearer: String(repeating: "0", count: 64))
            #expect(wrong.status == 401)
            let scheme = try await curl(proxy.url + "/x", secretHeaders: ["Authorization: Basic \(try proxy.secret)"])
            #expect(scheme.status == 401)
            #expect(proxy.upstream.received.isEmpty)
            #expect(proxy.counter(ProxyMetrics.requests, [("class", "4xx")]) == 3)
        }
    }

    @Test(
        "request targets that could leave the upstream's base path or name another host are refused",
        arguments: [
            (["--request-target", "http://evil.example/steal"], 400),
            (["--request-target", "evil.example:443"], 400),
            (["--request-target", "*", "-X", "OPTIONS"], 400),
            (["-X", "CONNECT", "--request-target", "evil.example:443"], 405),
            (["-X", "TRACE"], 405),
            (["--path-as-is", "--request-target", "/../admin"], 400),
            (["--path-as-is", "--request-target", "/v1/../../admin"], 400),
            (["--request-target", "/%2e%2e/admin"], 400),
            (["--request-target", "/%2E%2e/admin"], 400),
            (["--request-target", "/v1/.%2E/admin"], 400),
            (["--request-target", "/./admin"], 400),
            (["--request-target", "/a%2fb"], 400),
            (["--request-target", "/a%5Cb"], 400),
            (["--request-target", "/a%00b"], 400),
            (["--request-target", "/a\\b"], 400),
            (["--request-target", "/a%zzb"], 400),
        ]
    )
    func refusedTargets(extra: [String], status: Int) async throws {
        try await withProxy { proxy in
            let answer = try await curl(proxy.url + "/", bearer: try proxy.secret, extra)
            #expect(answer.status == status, "\(extra): \(answer.body)")
            #expect(proxy.upstream.received.isEmpty, "\(extra) reached the upstream")
        }
    }

    @Test("a raw absolute-form request over a plain socket is refused too")
    func rawAbsoluteForm() async throws {
        try await withProxy { proxy in
            let port = try #require(Int(proxy.url.split(separator: ":").last ?? ""))
            let reply = try await rawExchange(
                port: port,
                "GET http://127.0.0.1:\(proxy.upstream.port)/base/x HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Authorization: Bearer \(try proxy.secret)\r\nConnection: close\r\n\r\n"
            )
            #expect(reply.hasPrefix("HTTP/1.1 400"), "\(reply.prefix(80))")
            #expect(proxy.upstream.received.isEmpty)
        }
    }

    @Test("no token, secret or request body appears in the logs, events or answers")
    func nothingSecretInOutput() async throws {
        try await withProxy { proxy in
            let secret = try proxy.secret
            let marker = "body-marker-\(UUID().uuidString)"
            let first = try await proxy.currentToken()
            proxy.upstream.revoke(token: first)
            let answer = try await curl(
                proxy.url + "/v1/chat?api_key=query-secret", method: "POST",
                bearer: secret, ["--data", "{\"text\":\"\(marker)\"}"]
            )
            #expect(answer.status == 200)
            _ = try await curl(proxy.url + "/x")  // refused: no secret
            let second = try await proxy.currentToken()
            #expect(first != second)
            let events = proxy.events.all.map { EventJSON.line(for: $0) }
            #expect(events.contains { $0.contains("proxy_replay") })
            for text in proxy.logs.lines + events {
                for secretText in [secret, first, second, marker, "query-secret"] {
                    #expect(!text.contains(secretText), "a secret or body in: \(text.prefix(120))")
                }
            }
        }
    }

    @Test("a token with characters a header cannot carry (CR LF) is never attached: 502 token_unusable, nothing forwarded")
    func unusableToken() async throws {
        // The provider's token endpoint: a scripted server whose token would inject a field if it were attached.
        let tokens = ScriptedUpstream()
        try await tokens.start()
        defer { Task { await tokens.stop() } }
        let token = #"{"access_token": "abc\r\nX-Injected: 1", "token_type": "Bearer", "expires_in": 300}"#
        tokens.script([.init(status: 200, headers: ["Content-Type": "application/json"], body: token)])
        var options = ProxyOptions()
        options.tokenEndpoint = tokens.baseURL + "/oauth/token"
        try await withProxy(options) { proxy in
            let secret = try proxy.secret
            for path in ["/v1/items", "/v1/items/2"] {  // the second with the token cached (the fast path)
                let answer = try await curl(proxy.url + path, bearer: secret)
                #expect(answer.status == 502, "\(answer.body)")
                #expect(answer.body.contains("token_unusable"), "\(answer.body)")
                #expect(!answer.body.contains("abc"), "the token is never shown")
            }
            #expect(proxy.upstream.received.isEmpty, "nothing reached the upstream")
            #expect(tokens.received.count == 1, "one token request, its token cached")
        }
    }
}
