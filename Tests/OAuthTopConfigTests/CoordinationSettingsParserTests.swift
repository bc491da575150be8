import Foundation
import OAuthTopConfig
import Testing

@Suite("The coordination: section")
struct CoordinationSettingsParserTests {
    static let provider = """
        providers:
          - {name: gh, grant: client_credentials, token_endpoints: [https://idp.example.com/token], client_id: c,
             client_secret: {env: SECRET}}

        """
    static let hexKey = String(repeating: "0123456789abcdef", count: 4)
    static let environment = [
        "SECRET": "env-secret-value-1", "KEY": hexKey, "KEY64": Data(repeating: 0xAB, count: 32).base64EncodedString(),
        "SHORT": "abcd", "REDIS_PASSWORD": "hunter2-password",
    ]

    func parse(_ text: String) -> ParseOutcome<OAuthTopConfiguration> {
        parseConfig(Self.provider + text, environment: Self.environment, files: ["/run/key": Self.hexKey.uppercased() + "\n"])
    }

    @Test("absent: no coordination; the minimum is a URL and a key, with the defaults")
    func minimal() throws {
        #expect(try self.parse("").get().coordination == nil)
        let settings = try #require(
            try self.parse("coordination: {redis: {url: redis://127.0.0.1:6379}, encryption_key: {env: KEY}}").get()
                .coordination
        )
        #expect(settings.redis.url == "redis://127.0.0.1:6379")
        #expect(settings.redis.keyPrefix == "oauthtop:")
        #expect(settings.redis.lease == .seconds(10) && settings.redis.wait == .seconds(15))
        #expect(settings.redis.password == nil && settings.redis.tls == nil && settings.instanceID == nil)
        #expect(settings.encryptionKey.revealed == Self.hexKey)
    }

    @Test("every key parses; a base64 key and an upper-case hex key from a file give the same 64 hex digits")
    func full() throws {
        let settings = try #require(
            try self.parse(
                """
                coordination:
                  redis:
                    url: rediss://user@redis.internal:6380/2
                    password: {env: REDIS_PASSWORD}
                    key_prefix: "team-a:"
                    tls: {ca_file: /etc/ssl/redis-ca.pem, server_name: redis.internal}
                    lease: 5s
                    wait: 20s
                  encryption_key: {env: KEY64}
                  instance_id: worker-7
                """
            ).get().coordination
        )
        #expect(settings.redis.url == "rediss://user@redis.internal:6380/2")
        #expect(settings.redis.password?.revealed == "hunter2-password")
        #expect(settings.redis.keyPrefix == "team-a:")
        #expect(settings.redis.tls == .init(caFile: "/etc/ssl/redis-ca.pem", serverName: "redis.internal"))
        #expect(settings.redis.lease == .seconds(5) && settings.redis.wait == .seconds(20))
        #expect(settings.encryptionKey.revealed == String(repeating: "ab", count: 32))
        #expect(settings.instanceID == "worker-7")
        let fromFile = try self.parse("coordination: {redis: {url: redis://r}, encryption_key: {file: /run/key}}").get()
        #expect(fromFile.coordination?.encryptionKey.revealed == Self.hexKey)
    }

    @Test(
        "mistakes are reported at their line and column, and never quote a secret",
        arguments: [
            ("coordination: {redis: {url: redis://r}, encryption_key: {env: SHORT}}", "4:57", "must be 32 bytes"),
            ("coordination: {redis: {url: redis://r}, encryption_key: 00112233}", "4:57", "must not be written in the file"),
            ("coordination: {redis: {url: redis://r, password: hunter2}, encryption_key: {env: KEY}}", "4:50", "must not be written"),
            ("coordination: {redis: {url: 'redis://:hunter2@r'}, encryption_key: {env: KEY}}", "4:29", "must not carry a password"),
            ("coordination: {redis: {url: http://r}, encryption_key: {env: KEY}}", "4:29", "redis:// or rediss://"),
            ("coordination: {redis: {url: redis://r/x}, encryption_key: {env: KEY}}", "4:29", "database number"),
            ("coordination: {redis: {url: redis://r, key_prefix: 'a{b}'}, encryption_key: {env: KEY}}", "4:52", "without '{'"),
            ("coordination: {redis: {url: redis://r, lease: 500ms}, encryption_key: {env: KEY}}", "4:47", "at least 1s"),
            ("coordination: {redis: {url: redis://r, tls: {ca_file: /x}}, encryption_key: {env: KEY}}", "4:45", "rediss://"),
            ("coordination: {redis: {url: redis://r}}", "4:15", "missing required key 'encryption_key'"),
            ("coordination: {redis: {urll: redis://r}, encryption_key: {env: KEY}}", "4:23", "missing required key 'url'"),
            ("coordination: {redis: {url: redis://r}, encryption_key: {env: KEY}, instance_id: 'a b'}", "4:82", "without spaces"),
        ]
    )
    func mistakes(text: String, position: String, message: String) {
        let outcome = self.parse(text)
        #expect(outcome.value == nil)
        let error = outcome.errors.first
        #expect(error?.position == position, "\(String(describing: error))")
        #expect(error?.message.contains(message) == true, "\(String(describing: error))")
        for diagnostic in outcome.diagnostics {
            #expect(!diagnostic.message.contains("hunter2") && !diagnostic.message.contains("00112233"))
            #expect(!diagnostic.message.contains("abcd"))
        }
    }

    @Test("config check names the fleet's Redis server in its summary")
    func checkReport() {
        let yaml = Self.provider + "coordination: {redis: {url: redis://10.0.0.5:6379}, encryption_key: {env: KEY}}\n"
        let report = OAuthTopConfiguration.check(
            path: "/etc/o.yaml", environment: Self.environment, fileReader: .inMemory(["/etc/o.yaml": yaml])
        )
        #expect(report.summary == "/etc/o.yaml: OK (1 provider, coordinated through redis://10.0.0.5:6379)")
    }
}
