import HTTPTypes
import Hummingbird
import NIOHTTP1
import OAuthTopConfig
import OAuthTopRuntime
import Testing

@Suite("API proxy: request guard, header rules, auth-error rule, body rewrite")
struct ProxyComponentTests {
    @Test(
        "origin-form targets pass, split into path and query as received",
        arguments: [
            ("/", "/", nil), ("/v1/messages", "/v1/messages", nil), ("/a?b=c&d=%20", "/a", "b=c&d=%20"),
            ("/a/..b/c.", "/a/..b/c.", nil), ("/a/%41%2e%2ex", "/a/%41%2e%2ex", nil), ("/a?x=../..", "/a", "x=../.."),
        ] as [(String, String, String?)]
    )
    func accepted(target: String, path: String, query: String?) throws {
        let checked = try ProxyRequestGuard.check(method: "GET", target: target).get()
        #expect(String(checked.path) == path)
        #expect(checked.query.map(String.init) == query)
    }

    @Test(
        "targets and methods that could reach another host or leave the base path are refused",
        arguments: [
            ("GET", "http://evil/x", 400), ("GET", "evil:443", 400), ("OPTIONS", "*", 400), ("GET", "", 400),
            ("CONNECT", "evil:443", 405), ("connect", "/x", 405), ("TRACE", "/", 405),
            ("GET", "/..", 400), ("GET", "/a/../b", 400), ("GET", "/a/./b", 400), ("GET", "/a/.", 400),
            ("GET", "/%2e%2e/b", 400), ("GET", "/%2E./b", 400), ("GET", "/.%2e", 400), ("GET", "/a%2Fb", 400),
            ("GET", "/a%5cb", 400), ("GET", "/a%00", 400), ("GET", "/a\\b", 400), ("GET", "/a#f", 400),
            ("GET", "/a b", 400), ("GET", "/a\u{7f}", 400), ("GET", "/é", 400), ("GET", "/a%2", 400),
            ("GET", "/a?b=%g1", 400),
        ]
    )
    func refused(method: String, target: String, status: Int) {
        guard case .failure(let refusal) = ProxyRequestGuard.check(method: method, target: target) else {
            Issue.record("\(method) \(target) passed")
            return
        }
        #expect(refusal.status == status)
    }

    @Test("hop-by-hop fields are removed both ways, with every field Connection names")
    func headers() {
        let incoming = HTTPHeaders([
            ("Connection", "close, X-Private"), ("x-private", "1"), ("Host", "127.0.0.1:8081"),
            ("Authorization", "Bearer local-secret"), ("Proxy-Authorization", "Bearer local-secret"),
            ("X-API-Key", "client-key"), ("Content-Type", "application/json"), ("TE", "trailers"),
            ("OAuthtop-Priority", "critical"), ("Expect", "100-continue"), ("Content-Length", "2"),
        ])
        let header = ProxySettings.TokenHeader(name: "x-api-key", scheme: "")
        let up = ProxyHeaders.upstreamRequestFields(incoming, tokenHeader: header, removing: ["OAuthtop-Priority"])
        #expect(up.map(\.name) == ["Content-Type", "Via"])
        #expect(up["via"] == ["1.1 oauthtop"], "a gateway's Via (RFC 9110 §7.6.3)")

        let response = HTTPHeaders([
            ("Transfer-Encoding", "chunked"), ("Connection", " x-internal ,keep-alive"), ("X-Internal", "1"),
            ("Content-Type", "text/event-stream"), ("WWW-Authenticate", "Bearer"), ("Keep-Alive", "timeout=5"),
        ])
        #expect(ProxyHeaders.clientResponseFields(response).map(\.name) == ["Content-Type", "WWW-Authenticate"])
    }

    @Test(
        "Connection's options: the fields it names, trimmed of spaces and tabs, without close and keep-alive in any case",
        arguments: [
            ("keep-alive", []), ("Close", []), ("KEEP-ALIVE", []), (",, ,", []), (" x-a ,\tX-B\t, close", ["x-a", "X-B"]),
            ("x-one", ["x-one"]), ("é-x,y", ["é-x", "y"]), ("keep-alive, x-later", ["x-later"]),
        ] as [(String, [String])]
    )
    func connectionOptions(value: String, expected: [String]) {
        var names: [Substring] = []
        ProxyHeaders.connectionOptions(value, into: &names)
        #expect(names.map(String.init) == expected)
    }

    @Test(
        "auth errors: 401, configured statuses, and a Bearer invalid_token challenge on any status",
        arguments: [
            (401, nil, true), (403, nil, false), (400, "Bearer error=\"invalid_token\"", true),
            (403, "Bearer realm=\"x\", error=invalid_token", true), (403, "Bearer error=\"insufficient_scope\"", false),
            (403, "Basic realm=\"x\"", false), (200, "Bearer realm=x, other_error=\"invalid_token\"", false),
        ] as [(Int, String?, Bool)]
    )
    func authErrors(status: Int, challenge: String?, expected: Bool) {
        var fields = HTTPFields()
        if let challenge { fields[.wwwAuthenticate] = challenge }
        #expect(AuthErrorRule.isAuthError(status: status, fields: fields, settings: ProxySettings.AuthErrors()) == expected)
        #expect(AuthErrorRule.isAuthError(status: 403, fields: HTTPFields(), settings: ProxySettings.AuthErrors(statuses: [403])))
    }

    @Test("the rewrite replaces one field and keeps every other byte")
    func rewrite() {
        let rule = ProxySettings.BodyRewrite(jsonField: "model", from: "big", to: "small \"q\"")
        let body = Array("{ \"n\": 1.50e2,\"model\" :\"big\", \"m\": {\"model\": \"big\"}}".utf8)
        #expect(
            JSONBodyRewrite.apply(rule, to: body)
                == .rewritten(Array("{ \"n\": 1.50e2,\"model\" :\"small \\\"q\\\"\", \"m\": {\"model\": \"big\"}}".utf8))
        )
        let nested = ProxySettings.BodyRewrite(jsonField: "m.model", to: "x")
        #expect(JSONBodyRewrite.apply(nested, to: body) == .rewritten(Array("{ \"n\": 1.50e2,\"model\" :\"big\", \"m\": {\"model\": \"x\"}}".utf8)))
        #expect(JSONBodyRewrite.apply(rule, to: Array("model=big".utf8)) == .notJSON)
        #expect(JSONBodyRewrite.apply(rule, to: Array("{\"other\": 1}".utf8)) == .fieldMissing)
        #expect(JSONBodyRewrite.apply(rule, to: Array("{\"model\": \"medium\"}".utf8)) == .valueDiffers)
        #expect(JSONBodyRewrite.apply(rule, to: Array("[1]".utf8)) == .fieldMissing)
        let escapedKey = ProxySettings.BodyRewrite(jsonField: "model", to: "y")
        #expect(JSONBodyRewrite.apply(escapedKey, to: Array("{\"mod\\u0065l\": 1}".utf8)) == .rewritten(Array("{\"mod\\u0065l\": \"y\"}".utf8)))
    }
}
