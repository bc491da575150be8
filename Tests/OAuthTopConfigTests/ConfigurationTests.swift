import Foundation
import OAuthTopConfig
import Testing
import TokenManager

@Suite("oauthtop.yaml")
struct ConfigurationTests {
    static let exampleEnvironment = [
        "GITHUB_CLIENT_SECRET": "gh-client-secret-42",
        "BILLING_CLIENT_ID": "billing-client",
        "GITHUB_EMERGENCY_KEY": "gh-emergency-key-55",
        "SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T0/B0/slack-secret-11",
        "ALERT_WEBHOOK_URL": "https://hooks.example.net/alert/webhook-secret-12",
    ]
    static let exampleFiles = [
        "/run/secrets/github_rt": "gh-refresh-token-77\n",
        "/run/secrets/billing_client_secret": "billing-secret-99\r\n",
        "/run/secrets/pagerduty_routing_key": "pd-routing-key-13\n",
    ]

    static var exampleText: String {
        get throws {
            let url = URL(fileURLWithPath: #filePath)
                .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("examples/oauthtop.yaml")
            return try String(contentsOf: url, encoding: .utf8)
        }
    }

    @Test("the shipped example parses into the expected values")
    func example() throws {
        let outcome = parseConfig(try Self.exampleText, environment: Self.exampleEnvironment, files: Self.exampleFiles)
        #expect(outcome.diagnostics == [])
        let configuration = try outcome.get()
        #expect(configuration.listen == "127.0.0.1:9464")
        #expect(configuration.stateDirectory == "/var/lib/oauthtop")
        #expect(configuration.logLevel == "info")
        #expect(configuration.theme == "default")
        #expect(configuration.providers.count == 2)
        let sinkPaths = configuration.sinks.map(\.file.path)
        #expect(sinkPaths == ["/run/oauthtop/github.token", "/run/oauthtop/github.json"])
        #expect(configuration.sinks.first?.file.group == 1001)
        let alerting = try #require(configuration.alerting)
        #expect(alerting.ruleFiles == ["../rules/seed.rules.yaml"])
        #expect(configuration.ruleFilePaths(configPath: "examples/oauthtop.yaml") == ["examples/../rules/seed.rules.yaml"])
        #expect(alerting.evaluationInterval == .seconds(15))
        #expect(alerting.notifiers.keys.sorted() == ["am", "hook", "oncall", "script", "team-slack"])
        #expect(alerting.notifierNames(forAction: "page_oncall") == ["oncall", "am"])
        #expect(alerting.notifierNames(forAction: nil) == ["am"])

        let github = try #require(configuration.providers.first)
        #expect(github.name == "github")
        #expect(github.grant == .refreshToken)
        #expect(
            github.tokenEndpoints == [
                "https://idp.example.com/oauth/token", "https://idp-backup.example.com/oauth/token",
            ]
        )
        #expect(github.clientID == "my-client")
        #expect(github.clientSecret == Secret("gh-client-secret-42"))
        #expect(github.refreshToken == Secret("gh-refresh-token-77"))
        #expect(github.clientAuthentication == .basic)
        #expect(github.scopes == ["repo", "read:org"])
        #expect(github.expectedTokenType == "Bearer")
        #expect(
            github.refresh
                == RefreshPolicy(
                    advisoryFraction: 0.3,
                    mandatoryFraction: 0.1,
                    maxAdvisory: .seconds(900),
                    maxMandatory: .seconds(600),
                    minMandatory: .seconds(2),
                    jitterFraction: 0.05
                )
        )
        #expect(
            github.retry
                == RetryPolicy(
                    maxAttempts: 3,
                    baseDelay: .milliseconds(500),
                    maxDelay: .seconds(30),
                    maxRetryAfter: .seconds(120)
                )
        )
        #expect(github.timeouts == .default)
        #expect(github.breaker == BreakerPolicy(failureThreshold: 3, coolDown: .seconds(30)))
        #expect(
            github.fallback == [
                .alternateProvider("billing-api"),
                .emergencyKey(
                    Secret("gh-emergency-key-55"), maxDuration: .seconds(1800),
                    approvalFile: "/run/oauthtop/approve-github"
                ),
            ]
        )

        let billing = try #require(configuration.providers.last)
        #expect(billing.name == "billing-api")
        #expect(billing.grant == .clientCredentials)
        #expect(billing.tokenEndpoints == ["https://auth.example.net/token"])
        #expect(billing.clientID == "billing-client")
        #expect(billing.clientSecret == Secret("billing-secret-99"))
        #expect(billing.refreshToken == nil)
        #expect(billing.clientAuthentication == .body)
        #expect(billing.scopes == ["invoices:read", "invoices:write"])
        #expect(billing.refresh == RefreshPolicy())
        #expect(billing.retry == RetryPolicy())
        #expect(billing.breaker == BreakerPolicy())
    }

    @Test("values differing from the defaults are read, not defaulted")
    func nonDefaultValues() throws {
        let yaml = """
            providers:
              - name: p
                grant: client_credentials
                token_endpoints: http://127.0.0.1:8080/token
                client_id: c
                client_secret: {env: SECRET}
                token_type: bearer
                refresh: {advisory: 0.5, mandatory: 0.2, jitter: 0, max_advisory: 1h, max_mandatory: 1m30s}
                retry: {max_attempts: 1, base_delay: 0s, max_delay: 1s, max_retry_after: 10s}
                timeouts: [{connect: 100ms, total: 1s}]
                breaker: {failure_threshold: 5, cool_down: 1m}
            """
        let provider = try #require(try parseConfig(yaml).get().providers.first)
        #expect(provider.tokenEndpoints == ["http://127.0.0.1:8080/token"])
        #expect(provider.expectedTokenType == "bearer")
        #expect(provider.refresh.advisoryFraction == 0.5)
        #expect(provider.refresh.mandatoryFraction == 0.2)
        #expect(provider.refresh.jitterFraction == 0)
        #expect(provider.refresh.maxAdvisory == .seconds(3600))
        #expect(provider.refresh.maxMandatory == .seconds(90))
        #expect(
            provider.retry
                == RetryPolicy(
                    maxAttempts: 1,
                    baseDelay: .zero,
                    maxDelay: .seconds(1),
                    maxRetryAfter: .seconds(10)
                )
        )
        #expect(provider.timeouts.steps == [TimeoutStep(connect: .milliseconds(100), total: .seconds(1))])
        #expect(provider.breaker == BreakerPolicy(failureThreshold: 5, coolDown: .seconds(60)))
    }

    /// A minimal valid provider; each case appends one line (line 7) or replaces one.
    static let base = """
        providers:
          - name: p
            grant: client_credentials
            token_endpoints: [https://idp.test/token]
            client_id: c
            client_secret: {env: SECRET}
        """

    struct BadCase: Sendable, CustomTestStringConvertible {
        let yaml: String
        let position: String
        let message: String
        var testDescription: String { self.message }

        /// `base` with one more provider line.
        static func adding(_ line: String, at position: String, _ message: String) -> BadCase {
            BadCase(yaml: ConfigurationTests.base + "\n    " + line, position: position, message: message)
        }

        /// `base` with `old` replaced by `new`.
        static func replacing(_ old: String, with new: String, at position: String, _ message: String) -> BadCase {
            BadCase(
                yaml: ConfigurationTests.base.replacingOccurrences(of: old, with: new),
                position: position,
                message: message
            )
        }
    }

    static let badCases: [BadCase] = [
        .adding(
            "retyr: {max_attempts: 3}",
            at: "7:5",
            "unknown key 'retyr' in provider; did you mean 'retry'? (allowed: name, grant, token_endpoints, "
                + "client_id, client_secret, refresh_token, client_auth, scopes, token_type, refresh, retry, "
                + "timeouts, breaker, fallback, sinks, validation)"
        ),
        .adding(
            "retry: {base_delay: abc}",
            at: "7:25",
            "base_delay: expected a duration like 500ms, 15s, 2m, 1h, found 'abc'"
        ),
        .adding("retry: {base_delay: -5s}", at: "7:25", "base_delay: a duration cannot be negative, found '-5s'"),
        .adding("retry: {max_attempts: 0}", at: "7:27", "max_attempts: must be at least 1, found 0"),
        .adding(
            "retry: {max_attempts: many}",
            at: "7:27",
            "max_attempts: expected an integer of at least 1, found 'many'"
        ),
        .adding(
            "retry: {base_delay: 2s, max_delay: 1s}",
            at: "7:40",
            "max_delay: must not be shorter than base_delay (2s)"
        ),
        .adding(
            "refresh: {advisory: 150%}",
            at: "7:25",
            "advisory: must be between 0% and 100% (0...1), found '150%'"
        ),
        .adding("refresh: {jitter: 1.5}", at: "7:23", "jitter: must be between 0% and 100% (0...1), found '1.5'"),
        .adding(
            "refresh: {jitter: lots}",
            at: "7:23",
            "jitter: expected a percentage like 30% or a fraction like 0.3, found 'lots'"
        ),
        .adding(
            "refresh: {advisory: 10%, mandatory: 20%}",
            at: "7:41",
            "mandatory: the mandatory window (20%) must not be larger than the advisory window (10%)"
        ),
        .adding(
            "timeouts: [{connect: 10s, total: 5s}]",
            at: "7:26",
            "connect: must not be longer than total (5s), found '10s'"
        ),
        .adding("timeouts: []", at: "7:15", "timeouts: at least one step is required"),
        .adding("timeouts: [{connect: 0s, total: 5s}]", at: "7:26", "connect: must be longer than 0s"),
        .adding("breaker: {failure_threshold: 0}", at: "7:34", "failure_threshold: must be at least 1, found 0"),
        .adding(
            "breaker: 3",
            at: "7:14",
            "breaker: expected a mapping with keys failure_threshold, cool_down, found '3'"
        ),
        .adding(
            "client_auth: header",
            at: "7:18",
            "client_auth: expected one of basic | body, found 'header'"
        ),
        .adding(
            "scopes: {a: b}",
            at: "7:13",
            "scopes: expected a list of strings or a space-separated string, found a mapping"
        ),
        .replacing(
            "[https://idp.test/token]",
            with: "[]",
            at: "4:22",
            "token_endpoints: at least one token endpoint is required"
        ),
        .replacing(
            "[https://idp.test/token]",
            with: "[https://idp.test/token, ftp://idp.test/token]",
            at: "4:47",
            "token_endpoints: expected an http/https URL like https://idp.example.com/oauth/token, "
                + "found 'ftp://idp.test/token'"
        ),
        .replacing(
            "grant: client_credentials",
            with: "grant: client_credential",
            at: "3:12",
            "grant: expected one of refresh_token | client_credentials, found 'client_credential'; "
                + "did you mean 'client_credentials'?"
        ),
        .replacing(
            "grant: client_credentials",
            with: "grant: refresh_token",
            at: "2:5",
            "missing required key 'refresh_token' in provider (the refresh_token grant needs an initial refresh token)"
        ),
        .replacing(
            "    client_secret: {env: SECRET}",
            with: "",
            at: "2:5",
            "missing required key 'client_secret' in provider "
                + "(the client_credentials grant authenticates with the client secret)"
        ),
        .replacing(
            "name: p",
            with: "name: my provider",
            at: "2:11",
            "name: provider names use only letters, digits, '_', '.' and '-', found 'my provider'"
        ),
        .replacing("    client_id: c\n", with: "", at: "2:5", "missing required key 'client_id' in provider"),
        .replacing(
            "{env: SECRET}",
            with: "{env: UNSET_VAR}",
            at: "6:26",
            "client_secret.env: environment variable 'UNSET_VAR' is not set"
        ),
        .replacing(
            "{env: SECRET}",
            with: "{env: EMPTY_VAR}",
            at: "6:26",
            "client_secret.env: environment variable 'EMPTY_VAR' is empty"
        ),
        .replacing(
            "{env: SECRET}",
            with: "{file: /nope/secret}",
            at: "6:27",
            "client_secret.file: cannot read file '/nope/secret': no such file"
        ),
        .replacing("{env: SECRET}", with: "{file: /empty}", at: "6:27", "client_secret.file: file '/empty' is empty"),
        .replacing(
            "{env: SECRET}",
            with: "{env: SECRET, file: /x}",
            at: "6:20",
            "client_secret: a secret reference has exactly one key, env or file: {env: NAME} or {file: PATH}"
        ),
        .replacing(
            "providers:",
            with: "listen: 9464\nproviders:",
            at: "1:9",
            "listen: expected HOST:PORT like 127.0.0.1:9464, found '9464'"
        ),
        .replacing(
            "providers:",
            with: "log_level: verbose\nproviders:",
            at: "1:12",
            "log_level: expected one of trace | debug | info | notice | warning | error | critical, found 'verbose'"
        ),
        .replacing(
            "providers:",
            with: "dashboard: {}\nproviders:",
            at: "1:12",
            "dashboard: expected a non-empty string, found a mapping"
        ),
        .replacing(
            "providers:",
            with: "redis: {}\nproviders:",
            at: "1:1",
            "unknown key 'redis' in the top level "
                + "(allowed: listen, state_dir, log_level, theme, dashboard, providers, alerting, socket, coordination, proxies)"
        ),
        .replacing(
            "providers:",
            with: "state_dirr: /tmp\nproviders:",
            at: "1:1",
            "unknown key 'state_dirr' in the top level; did you mean 'state_dir'? "
                + "(allowed: listen, state_dir, log_level, theme, dashboard, providers, alerting, socket, coordination, proxies)"
        ),
        .replacing(
            "    grant:",
            with: "  grant:",
            at: "3:3",
            "YAML syntax error: did not find expected '-' indicator "
                + "(while parsing a block collection at line 2, column 3)"
        ),
        .replacing(
            "name: p\n",
            with: "name: p\n    name: q\n",
            at: "2:5",
            "duplicate key 'name' in a mapping: each key may appear once"
        ),
        BadCase(yaml: "", position: "0:0", message: "the file is empty; expected a mapping with 'providers'"),
        BadCase(yaml: "providers: []", position: "1:12", message: "providers: at least one provider is required"),
        BadCase(
            yaml: "- a\n- b",
            position: "1:1",
            message:
                "expected a mapping with keys listen, state_dir, log_level, theme, dashboard, providers, alerting, "
                + "socket, coordination, proxies, found a list"
        ),
    ]

    @Test("each mistake is reported with its message at the offending position", arguments: badCases)
    func badConfig(_ bad: BadCase) throws {
        let outcome = parseConfig(
            bad.yaml,
            environment: ["SECRET": "s3cr3t-value", "EMPTY_VAR": ""],
            files: ["/empty": "\n"]
        )
        #expect(outcome.value == nil)
        let diagnostic = try #require(outcome.errors.first, "no error for:\n\(bad.yaml)")
        #expect(outcome.errors.count == 1, "\(outcome.errors)")
        #expect(diagnostic.message == bad.message)
        #expect(diagnostic.position == bad.position)
        #expect(diagnostic.file == "oauthtop.yaml")
        #expect(!diagnostic.description.contains("s3cr3t-value"))
    }

    @Test("a duplicate provider name is reported at the second name, pointing at the first")
    func duplicateProvider() throws {
        let yaml = Self.base + "\n" + Self.base.split(separator: "\n").dropFirst().joined(separator: "\n")
        let outcome = parseConfig(yaml)
        #expect(
            outcome.errors.map(\.description) == [
                "oauthtop.yaml:7:11: error: name: duplicate provider name 'p' (first defined at line 2)"
            ]
        )
    }

    @Test("a refresh_token given to a client_credentials provider is a warning, not an error")
    func unusedRefreshToken() throws {
        let outcome = parseConfig(Self.base + "\n    refresh_token: {env: SECRET}")
        #expect(outcome.value != nil)
        #expect(
            outcome.diagnostics.map(\.description) == [
                "oauthtop.yaml:7:20: warning: refresh_token: is not used by the client_credentials grant"
            ]
        )
    }

    @Test("one file with five different mistakes gives five diagnostics, in file order")
    func fiveMistakes() throws {
        let yaml = """
            listen: localhost
            providers:
              - name: github
                grant: refresh_tokn
                token_endpoints: [ftp://idp.example.com/token]
                client_id: my-client
                client_secret: hunter2-very-secret
                refresh_token: {env: GITHUB_RT}
                retry: {max_attempts: 3, base_delay: 5 seconds}
            """
        let outcome = parseConfig(yaml, environment: ["GITHUB_RT": "rt-value"])
        #expect(
            outcome.diagnostics.map(\.description) == [
                "oauthtop.yaml:1:9: error: listen: expected HOST:PORT like 127.0.0.1:9464, found 'localhost'",
                "oauthtop.yaml:4:12: error: grant: expected one of refresh_token | client_credentials, "
                    + "found 'refresh_tokn'; did you mean 'refresh_token'?",
                "oauthtop.yaml:5:23: error: token_endpoints: expected an http/https URL like "
                    + "https://idp.example.com/oauth/token, found 'ftp://idp.example.com/token'",
                "oauthtop.yaml:7:20: error: client_secret: secrets must not be written in the file; give them as "
                    + "{env: NAME} or {file: PATH} (the inline value is not shown)",
                "oauthtop.yaml:9:42: error: base_delay: expected a duration like 500ms, 15s, 2m, 1h, found '5 seconds'",
            ]
        )
        let report = OAuthTopConfiguration.check(
            path: "oauthtop.yaml",
            environment: ["GITHUB_RT": "rt-value"],
            fileReader: .inMemory(["oauthtop.yaml": yaml])
        )
        #expect(report.summary == "5 errors in oauthtop.yaml")
        #expect(report.lines.count == 6)
        #expect(report.exitCode == 1)
    }

    @Test("secret values never appear in any diagnostic")
    func secretsNeverEchoed() throws {
        let secrets = [
            "inline-secret-1", "listed-secret-2", "keyed-secret-3", "quoted-secret-4", "env-secret-5",
            "file-secret-6",
        ]
        let yaml = """
            providers:
              - name: a
                grant: refresh_token
                token_endpoints: [https://idp.test/token]
                client_id: c
                client_secret: inline-secret-1
                refresh_token: [listed-secret-2]
              - name: b
                grant: refresh_token
                token_endpoints: [https://idp.test/token]
                client_id: c
                client_secret: {keyed-secret-3: x}
                refresh_token: {file: /rt}
                retry: {max_attempts: 0}
              - name: c
                grant: client_credentials
                token_endpoints: [https://idp.test/token]
                client_id: c
                client_secret: {env: GOOD}
                refresh_token: "quoted-secret-4"
                breaker: {cool_down: x}
            """
        let outcome = parseConfig(yaml, environment: ["GOOD": "env-secret-5"], files: ["/rt": "file-secret-6\n"])
        #expect(outcome.errors.count == 6, "\(outcome.diagnostics)")
        let text = outcome.diagnostics.map(\.description).joined(separator: "\n")
        for secret in secrets {
            #expect(!text.contains(secret))
        }
        #expect(!text.contains("keyed-secret"))

        let syntax = parseConfig("providers:\n  - client_secret: \"unterminated-secret-7\n")
        #expect(syntax.errors.count == 1)
        #expect(!syntax.errors.map(\.description).joined().contains("unterminated-secret-7"))
    }

    @Test("resolved secrets do not print with the configuration")
    func configurationDoesNotPrintSecrets() throws {
        let configuration = try parseConfig(
            try Self.exampleText,
            environment: Self.exampleEnvironment,
            files: Self.exampleFiles
        ).get()
        let printed = "\(configuration.providers) \(String(reflecting: configuration))"
        for secret in [
            "gh-client-secret-42", "gh-refresh-token-77", "billing-secret-99", "slack-secret-11", "webhook-secret-12",
            "pd-routing-key-13",
        ] {
            #expect(!printed.contains(secret))
        }
    }

    /// A reference and the secret it resolves to; the test log names the reference only, never the value.
    struct SecretCase: CustomTestStringConvertible, Sendable {
        let reference: String
        let expected: String
        var testDescription: String { self.reference }
    }

    @Test(
        "secrets from env and file; files lose their trailing newline only",
        arguments: [
            SecretCase(reference: "{env: SECRET}", expected: "env-secret-value-1"),
            SecretCase(reference: "{file: /s}", expected: "  line one\nline two  "),
            SecretCase(reference: "{file: /crlf}", expected: "windows"),
        ]
    )
    func secretSources(_ secret: SecretCase) throws {
        let yaml = Self.base.replacingOccurrences(of: "{env: SECRET}", with: secret.reference)
        let files = ["/s": "  line one\nline two  \n\n", "/crlf": "windows\r\n"]
        let provider = try #require(try parseConfig(yaml, files: files).get().providers.first)
        #expect(provider.clientSecret?.revealed == secret.expected)
    }

    @Test("load reads the file and throws every diagnostic; check summarises")
    func loadAndCheck() throws {
        let files = FileReader.inMemory(["/etc/good.yaml": Self.base, "/etc/bad.yaml": "listen: x\n" + Self.base])
        let configuration = try OAuthTopConfiguration.load(
            path: "/etc/good.yaml",
            environment: ["SECRET": "v"],
            fileReader: files
        )
        #expect(configuration.providers.map(\.name) == ["p"])

        let good = OAuthTopConfiguration.check(path: "/etc/good.yaml", environment: ["SECRET": "v"], fileReader: files)
        #expect(good.lines == ["/etc/good.yaml: OK (1 provider)"])
        #expect(good.exitCode == 0)

        let error = #expect(throws: ConfigError.self) {
            try OAuthTopConfiguration.load(path: "/etc/bad.yaml", environment: ["SECRET": "v"], fileReader: files)
        }
        #expect(error?.isInvalid == true)
        #expect(
            error?.description == "/etc/bad.yaml:1:9: error: listen: expected HOST:PORT like 127.0.0.1:9464, found 'x'"
        )

        let missing = #expect(throws: ConfigError.self) {
            try OAuthTopConfiguration.load(path: "/etc/none.yaml", environment: [:], fileReader: files)
        }
        #expect(missing?.isUnreadable == true)
        #expect(missing?.description == "/etc/none.yaml: error: cannot read the file: no such file")
        let report = OAuthTopConfiguration.check(path: "/etc/none.yaml", environment: [:], fileReader: files)
        #expect(report.summary == "1 error in /etc/none.yaml")
    }

    @Test("the real file system reader reports missing files and directories")
    func fileSystemReader() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("oauthtop-config-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("oauthtop.yaml").path
        try Self.base.write(toFile: file, atomically: true, encoding: .utf8)

        #expect(try FileReader.fileSystem.read(file) == Self.base)
        #expect(FileReader.fileSystem.exists(file))
        #expect(!FileReader.fileSystem.exists(directory.path))
        #expect(throws: FileReadError(reason: "it is a directory")) { try FileReader.fileSystem.read(directory.path) }
        #expect(throws: FileReadError(reason: "no such file")) { try FileReader.fileSystem.read(file + ".missing") }
        let configuration = try OAuthTopConfiguration.load(path: file, environment: ["SECRET": "v"])
        #expect(configuration.providers.count == 1)
    }
}
