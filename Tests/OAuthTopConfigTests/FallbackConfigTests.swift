import OAuthTopConfig
import OAuthTopTestKit
import Testing
import TokenManager

@Suite("oauthtop.yaml: fallback chains")
struct FallbackConfigTests {
    /// Two providers; cases append lines to the first one's `fallback:` list (from line 8 on).
    static func yaml(_ fallback: String) -> String {
        """
        providers:
          - name: github
            grant: client_credentials
            token_endpoints: [https://idp.test/token]
            client_id: c
            client_secret: {env: SECRET}
            fallback:
        \(fallback)
          - name: github-app
            grant: client_credentials
            token_endpoints: [https://app.test/token]
            client_id: app
            client_secret: {env: SECRET}
        """
    }

    @Test("a chain of an alternate provider and an emergency key parses in order")
    func valid() throws {
        let text = Self.yaml("""
                  - provider: github-app
                  - emergency_key: {env: EMERGENCY}
                    max_duration: 30m
                    approval_file: /run/oauthtop/approve
                    token_type: token
            """)
        let outcome = parseConfig(text, environment: ["SECRET": "s-1", "EMERGENCY": "emergency-value-9"])
        #expect(outcome.diagnostics == [])
        let providers = try outcome.get().providers
        let chain = try #require(providers.first?.fallback)
        #expect(chain.map(\.method) == [.alternateProvider, .emergencyKey])
        #expect(chain[0] == .alternateProvider("github-app"))
        #expect(
            chain[1] == .emergencyKey(
                Secret("emergency-value-9"), maxDuration: .seconds(1800), approvalFile: "/run/oauthtop/approve",
                tokenType: "token"
            )
        )
        #expect(providers.last?.fallback.isEmpty == true)
    }

    static let appKey: String = {
        do { return try FakeGitHubApp.generateKey().privatePEM } catch { fatalError("no RSA key: \(error)") }
    }()

    static var environment: [String: String] {
        ["SECRET": "s-1", "EMERGENCY": "emergency-value-9", "APPKEY": Self.appKey, "NOTPEM": "not-a-pem-value-7"]
    }

    @Test("a GitHub App, a second OAuth client and an emergency key approved by a command parse in order")
    func newKinds() throws {
        let text = Self.yaml("""
                  - github_app:
                      app_id: 12345
                      installation_id: 678
                      private_key: {file: /etc/oauthtop/app.pem}
                      api_url: https://ghe.example/api/v3
                  - oauth_client:
                      client_id: spare
                      client_secret: {env: SECRET}
                      scopes: [repo]
                      token_endpoints: [https://idp2.test/token]
                  - oauth_client: {client_id: other, grant: refresh_token, refresh_token: {env: EMERGENCY}}
                  - emergency_key: {env: EMERGENCY}
                    max_duration: 30m
                    approval_command: [/usr/local/bin/ask-oncall, --channel, "#ops"]
                    approval_timeout: 10m
            """)
        let outcome = parseConfig(text, environment: Self.environment, files: ["/etc/oauthtop/app.pem": Self.appKey + "\n"])
        #expect(outcome.diagnostics == [])
        let chain = try #require(try outcome.get().providers.first?.fallback)
        #expect(chain.map(\.method) == [.githubApp, .oauthClient, .oauthClient, .emergencyKey])
        let app = try #require(chain[0].githubAppInstallation)
        #expect(app.appID == "12345" && app.installationID == "678")
        #expect(app.accessTokensURL == "https://ghe.example/api/v3/app/installations/678/access_tokens")
        #expect(app.privateKey.revealed == Self.appKey.trimmingCharacters(in: .newlines))
        #expect(
            chain[1].oauthClient == FallbackOAuthClient(
                clientID: "spare", clientSecret: Secret("s-1"), scopes: ["repo"], tokenEndpoints: ["https://idp2.test/token"]
            )
        )
        #expect(
            chain[2].oauthClient == FallbackOAuthClient(
                clientID: "other", grant: .refreshToken, refreshToken: Secret("emergency-value-9")
            )
        )
        #expect(
            chain[3].approvalCommand == ApprovalCommand(
                ["/usr/local/bin/ask-oncall", "--channel", "#ops"], timeout: .seconds(600)
            )
        )
        #expect(chain[3].approvalFile == nil)
    }

    struct BadCase: Sendable, CustomTestStringConvertible {
        let fallback: String
        let position: String
        let message: String
        var testDescription: String { self.message }

        init(fallback: String, position: String, _ message: String) {
            self.fallback = fallback
            self.position = position
            self.message = message
        }
    }

    static let badCases: [BadCase] = [
        BadCase(
            fallback: "      - provider: github-ap",
            position: "8:19",
            "provider: no provider named 'github-ap' (configured: github, github-app); did you mean 'github-app'?"
        ),
        BadCase(
            fallback: "      - provider: github",
            position: "8:19",
            "provider: a provider cannot be its own fallback ('github'); name another provider"
        ),
        BadCase(
            fallback: "      - emergency_key: {env: EMERGENCY}",
            position: "8:9",
            "missing required key 'max_duration' in a fallback entry (an emergency key must be time-limited, "
                + "e.g. max_duration: 30m)"
        ),
        BadCase(
            fallback: "      - {emergency_key: emergency-inline-7, max_duration: 5m}",
            position: "8:25",
            "emergency_key: secrets must not be written in the file; give them as {env: NAME} or {file: PATH} "
                + "(the inline value is not shown)"
        ),
        BadCase(
            fallback: "      - {emergency_key: {env: EMERGENCY}, max_duration: 5m, aproval_file: /x}",
            position: "8:61",
            "unknown key 'aproval_file' in a fallback entry; did you mean 'approval_file'? "
                + "(allowed: provider, github_app, oauth_client, emergency_key, max_duration, approval_file, "
                + "approval_command, approval_timeout, token_type)"
        ),
        BadCase(
            fallback: "      - {emergency_key: {env: EMERGENCY}, max_duration: 0}",
            position: "8:57",
            "max_duration: must be longer than 0s"
        ),
        BadCase(
            fallback: "      - {provider: github-app, max_duration: 5m}",
            position: "8:46",
            "max_duration: applies only to an 'emergency_key' entry, not to 'provider'"
        ),
        BadCase(
            fallback: "      - {provider: github-app, emergency_key: {env: EMERGENCY}}",
            position: "8:47",
            "emergency_key: a fallback entry is one of provider, github_app, oauth_client, emergency_key, not "
                + "'provider' and 'emergency_key' together: write two entries"
        ),
        BadCase(
            fallback: "      - {provider: github-app, oauth_client: {client_id: x, client_secret: {env: SECRET}}}",
            position: "8:46",
            "oauth_client: a fallback entry is one of provider, github_app, oauth_client, emergency_key, not "
                + "'provider' and 'oauth_client' together: write two entries"
        ),
        BadCase(
            fallback: "      - {approval_file: /tmp/x}",
            position: "8:9",
            "fallback: a fallback entry needs one of 'provider: NAME' (another provider's token), 'github_app: "
                + "{app_id, installation_id, private_key}', 'oauth_client: {client_id, client_secret}' or "
                + "'emergency_key: {env: NAME} or {file: PATH}' with 'max_duration'"
        ),
        BadCase(
            fallback: "      - github_app: {app_id: 1, installation_id: abc, private_key: {env: APPKEY}}",
            position: "8:50",
            "installation_id: the installation id must be a number"
        ),
        BadCase(
            fallback: "      - github_app: {app_id: 1, installation_id: 2}",
            position: "8:21",
            "missing required key 'private_key' in 'github_app'"
        ),
        BadCase(
            fallback: "      - github_app: {app_id: 1, installation_id: 2, private_key: {env: NOTPEM}}",
            position: "8:66",
            "private_key: the private key is not PEM text (expected '-----BEGIN RSA PRIVATE KEY-----' as GitHub "
                + "issues it)"
        ),
        BadCase(
            fallback: "      - {github_app: {app_id: 1, installation_id: 2, private_key: {env: APPKEY}}, max_duration: 5m}",
            position: "8:97",
            "max_duration: applies only to an 'emergency_key' entry, not to 'github_app'"
        ),
        BadCase(
            fallback: "      - oauth_client: {client_id: spare}",
            position: "8:23",
            "missing required key 'client_secret' in 'oauth_client' (the client_credentials grant authenticates "
                + "with the client secret)"
        ),
        BadCase(
            fallback: "      - oauth_client: {client_id: x, client_secret: {env: SECRET}, grant: password}",
            position: "8:75",
            "grant: expected one of refresh_token | client_credentials, found 'password'"
        ),
        BadCase(
            fallback: "      - {emergency_key: {env: EMERGENCY}, max_duration: 5m, approval_command: [approve.sh]}",
            position: "8:80",
            "approval_command: the program must be an absolute path (it is run without a shell), found 'approve.sh'"
        ),
        BadCase(
            fallback: "      - {emergency_key: {env: EMERGENCY}, max_duration: 5m, approval_timeout: 1m}",
            position: "8:79",
            "approval_timeout: applies only with 'approval_command'"
        ),
        BadCase(
            fallback: "      github-app",
            position: "8:7",
            "fallback: expected a list of fallback entries, found 'github-app'"
        ),
    ]

    @Test("mistakes are reported where they are, with a suggestion when one fits", arguments: badCases)
    func bad(_ bad: BadCase) throws {
        let text = Self.yaml(bad.fallback)
        let outcome = parseConfig(text, environment: Self.environment)
        let diagnostic = try #require(outcome.diagnostics.first, "no diagnostic for:\n\(text)")
        #expect(outcome.diagnostics.count == 1, "\(outcome.diagnostics)")
        #expect(diagnostic.message == bad.message)
        #expect(diagnostic.position == bad.position)
        #expect(outcome.value == nil)
        for diagnostic in outcome.diagnostics {
            #expect(!diagnostic.description.contains("emergency-inline-7"))
            #expect(!diagnostic.description.contains("emergency-value-9"))
            #expect(!diagnostic.description.contains("not-a-pem-value-7"))
            #expect(!diagnostic.description.contains("PRIVATE KEY-----\n"))
        }
    }

    @Test("a provider that has another error still counts as known to the chains")
    func brokenAlternateIsKnown() {
        let text = Self.yaml("      - provider: github-app").replacingOccurrences(
            of: "client_id: app", with: "client_id: app\n    scopez: x"
        )
        let outcome = parseConfig(text)
        #expect(outcome.diagnostics.map(\.message).allSatisfy { !$0.contains("no provider named") })
        #expect(outcome.diagnostics.count == 1)
    }
}
