import OAuthTopConfig
import Testing

@Suite("The proxies: section")
struct ProxySettingsParserTests {
    static let providers = """
        providers:
          - {name: anthropic, grant: client_credentials, token_endpoints: [https://idp.example.com/token], client_id: c,
             client_secret: {env: SECRET}}

        """

    func parse(_ proxies: String) -> ParseOutcome<OAuthTopConfiguration> {
        parseConfig(Self.providers + proxies)
    }

    @Test("absent, there are no proxies; a minimal entry gets every default")
    func defaults() throws {
        #expect(try self.parse("").get().proxies.isEmpty)
        let proxies = try self.parse(
            """
            proxies:
              - {name: api, listen: 127.0.0.1:8081, upstream: https://api.example.com/v1/, provider: anthropic}
            """
        ).get().proxies
        #expect(
            proxies == [
                ProxySettings(
                    name: "api", listen: .tcp("127.0.0.1:8081"), upstream: "https://api.example.com/v1",
                    provider: "anthropic"
                )
            ]
        )
        #expect(proxies.first?.header == .bearer)
        #expect(proxies.first?.authErrors.replayBodyLimit == 1 << 20)
    }

    @Test("every key parses: sizes, durations, thresholds as fractions or percentages")
    func full() throws {
        let proxy = try #require(
            try self.parse(
                """
                proxies:
                  - name: claude
                    listen: /run/oauthtop/claude.sock
                    upstream: https://api.anthropic.com/v1
                    provider: anthropic
                    header: {name: x-api-key, scheme: ""}
                    secret_file: /run/oauthtop/claude.secret
                    ca_file: /etc/ssl/private-ca.pem
                    max_connections: 32
                    connect_timeout: 2s
                    read_timeout: 5m
                    max_request_body: 64MiB
                    auth_errors: {statuses: [401, 403], replay_body_limit: 64KiB}
                    rate_limit: {statuses: [429], when_blocked: reject, max_wait: 10s}
                    on_rate_limit: {json_field: options.model, from: claude-opus-4, to: claude-haiku-4}
                    quota:
                      cache_above: 85%
                      shed_above: 0.97
                      critical_header: X-Critical
                      critical_paths: ["/messages/batches/*"]
                      limits:
                        - {name: requests, limit_header: anthropic-ratelimit-requests-limit,
                           remaining_header: anthropic-ratelimit-requests-remaining,
                           reset_header: anthropic-ratelimit-requests-reset}
                    cache: {max_entries: 10, max_bytes: 1MiB, max_body: 1048576, ttl: 30s}
                """
            ).get().proxies.first
        )
        #expect(proxy.listen == .unix(path: "/run/oauthtop/claude.sock"))
        #expect(proxy.header == ProxySettings.TokenHeader(name: "x-api-key", scheme: ""))
        #expect(proxy.secretFile == "/run/oauthtop/claude.secret" && proxy.caFile == "/etc/ssl/private-ca.pem")
        #expect(proxy.maxConnections == 32 && proxy.connectTimeout == .seconds(2) && proxy.readTimeout == .seconds(300))
        #expect(proxy.maxRequestBody == 64 << 20)
        #expect(proxy.authErrors == ProxySettings.AuthErrors(statuses: [401, 403], replayBodyLimit: 64 << 10))
        #expect(proxy.rateLimit == ProxySettings.RateLimit(statuses: [429], whenBlocked: .reject, maxWait: .seconds(10)))
        #expect(proxy.onRateLimit == ProxySettings.BodyRewrite(jsonField: "options.model", from: "claude-opus-4", to: "claude-haiku-4"))
        #expect(proxy.quota?.cacheAbove == 0.85 && proxy.quota?.shedAbove == 0.97)
        #expect(proxy.quota?.criticalHeader == "X-Critical" && proxy.quota?.criticalPaths == ["/messages/batches/*"])
        #expect(proxy.quota?.limits.first?.resetHeader == "anthropic-ratelimit-requests-reset")
        #expect(proxy.cache == ProxySettings.Cache(maxEntries: 10, maxBytes: 1 << 20, maxBody: 1 << 20, ttl: .seconds(30)))
    }

    @Test("a threshold can be turned off; an empty quota or cache takes the defaults")
    func offSwitches() throws {
        let proxy = try #require(
            try self.parse(
                """
                proxies:
                  - {name: a, listen: "127.0.0.1:0", upstream: "http://127.0.0.1:9/", provider: anthropic,
                     quota: {cache_above: off, shed_above: ~}, cache: ~}
                  - {name: b, listen: "[::1]:0", upstream: "http://localhost:9", provider: anthropic, quota: ~}
                """
            ).get().proxies.first
        )
        #expect(proxy.quota?.cacheAbove == nil && proxy.quota?.shedAbove == nil)
        #expect(proxy.cache == ProxySettings.Cache())
        #expect(try self.parse("proxies:\n  - {name: b, listen: 127.0.0.1:0, upstream: http://x, provider: anthropic, quota: ~}").get().proxies.first?.quota == ProxySettings.Quota())
    }

    @Test(
        "mistakes are reported at their line and column",
        arguments: [
            ("{name: a, listen: 0.0.0.0:80, upstream: https://x, provider: anthropic}", "5:23", "must listen on a loopback address"),
            ("{name: a, listen: 10.1.2.3:80, upstream: https://x, provider: anthropic}", "5:23", "loopback"),
            ("{name: a, listen: relative.sock, upstream: https://x, provider: anthropic}", "5:23", "absolute socket path"),
            ("{name: a, listen: 127.0.0.1:1, upstream: ftp://x, provider: anthropic}", "5:46", "expected an http(s) base URL"),
            ("{name: a, listen: 127.0.0.1:1, upstream: /v1, provider: anthropic}", "5:46", "expected an http(s) base URL"),
            ("{name: a, listen: 127.0.0.1:1, upstream: 'https://u:p@x/v1', provider: anthropic}", "5:46", "must not carry user information"),
            ("{name: a, listen: 127.0.0.1:1, upstream: 'https://x/v1?key=1', provider: anthropic}", "5:46", "query or a fragment"),
            ("{name: a, listen: 127.0.0.1:1, upstream: 'https://x/v1#f', provider: anthropic}", "5:46", "query or a fragment"),
            ("{name: a, listen: 127.0.0.1:1, upstream: 'https://x/v1/../admin', provider: anthropic}", "5:46", "'..' path segment"),
            ("{name: a, listen: 127.0.0.1:1, upstream: https://x, provider: anthropik}", "5:67", "unknown provider 'anthropik'; did you mean 'anthropic'?"),
            ("{name: a, listen: 127.0.0.1:1, upstream: https://x, provider: anthropic, lisen: x}", "5:78", "unknown key 'lisen' in a proxy; did you mean 'listen'?"),
            ("{name: a, listen: 127.0.0.1:1, upstream: https://x, provider: anthropic, header: {name: 'x api'}}", "5:93", "is not a header field name"),
            ("{name: a, listen: 127.0.0.1:1, upstream: https://x, provider: anthropic, header: {name: Host}}", "5:93", "cannot carry the token"),
            ("{name: a, listen: 127.0.0.1:1, upstream: https://x, provider: anthropic, quota: {shed_above: 1.5}}", "5:98", "between 0% and 100%"),
            ("{name: a, listen: 127.0.0.1:1, upstream: https://x, provider: anthropic, quota: {shed_above: 0}}", "5:98", "must be above 0"),
            ("{name: a, listen: 127.0.0.1:1, upstream: https://x, provider: anthropic, quota: {cache_above: 0.99, shed_above: 0.9}}", "5:99", "must not be above shed_above"),
            ("{name: a, listen: 127.0.0.1:1, upstream: https://x, provider: anthropic, quota: {critical_header: 'a:b'}}", "5:103", "is not a header field name"),
            ("{name: a, listen: 127.0.0.1:1, upstream: https://x, provider: anthropic, max_request_body: 1XB}", "5:96", "expected a size"),
            ("{name: a, listen: 127.0.0.1:1, upstream: https://x, provider: anthropic, auth_errors: {statuses: [200]}}", "5:103", "between 400 and 599"),
            ("{name: a, listen: 127.0.0.1:1, upstream: https://x, provider: anthropic, rate_limit: {when_blocked: hold}}", "5:105", "one of wait | reject"),
            ("{name: 'a b', listen: 127.0.0.1:1, upstream: https://x, provider: anthropic}", "5:12", "a name of letters"),
            ("{listen: 127.0.0.1:1, upstream: https://x, provider: anthropic}", "5:5", "missing required key 'name' in a proxy"),
        ]
    )
    func mistakes(entry: String, position: String, message: String) {
        let outcome = self.parse("proxies:\n  - " + entry)
        #expect(outcome.value == nil)
        let error = outcome.errors.first
        #expect(error?.position == position, "\(String(describing: error))")
        #expect(error?.message.contains(message) == true, "\(String(describing: error))")
    }

    @Test("a duplicate name or listen address is reported at the second entry, naming the first's line")
    func duplicates() {
        let outcome = self.parse(
            """
            proxies:
              - {name: a, listen: 127.0.0.1:8081, upstream: https://x, provider: anthropic}
              - {name: a, listen: 127.0.0.1:8082, upstream: https://x, provider: anthropic}
              - {name: b, listen: 127.0.0.1:8081, upstream: https://x, provider: anthropic}
            """
        )
        #expect(outcome.value == nil)
        #expect(outcome.errors.map(\.message).contains { $0.contains("duplicate proxy name 'a' (first defined at line 5)") })
        #expect(outcome.errors.map(\.message).contains { $0.contains("already listens at '127.0.0.1:8081'") })
    }

    @Test("a password in the upstream URL is never quoted in the message")
    func userInfoNotQuoted() {
        let outcome = self.parse(
            "proxies:\n  - {name: a, listen: 127.0.0.1:1, upstream: 'https://user:hunter2-secret@x/v1', provider: anthropic}"
        )
        #expect(!outcome.errors.isEmpty)
        #expect(!outcome.errors.contains { $0.message.contains("hunter2") })
    }

    @Test("sizes: bytes, binary and decimal units, fractions; mistakes say what to write")
    func sizes() throws {
        #expect(try SizeSyntax.parse("1048576") == 1 << 20)
        #expect(try SizeSyntax.parse("1MiB") == 1 << 20)
        #expect(try SizeSyntax.parse("64KiB") == 64 << 10)
        #expect(try SizeSyntax.parse("1.5KiB") == 1536)
        #expect(try SizeSyntax.parse("2GiB") == 2 << 30)
        #expect(try SizeSyntax.parse("1MB") == 1_000_000)
        #expect(try SizeSyntax.parse("512B") == 512)
        #expect(try SizeSyntax.parse("1_000") == 1000)
        for bad in ["", "-1", "1.5", "MiB", "1 XiB", ".5MiB", "1..5MiB", "99999999999999999999999MiB"] {
            #expect(throws: SizeSyntax.Problem.self, "\(bad)") { try SizeSyntax.parse(bad) }
        }
        #expect(SizeSyntax.format(1 << 20) == "1MiB" && SizeSyntax.format(1000) == "1000B")
    }
}
