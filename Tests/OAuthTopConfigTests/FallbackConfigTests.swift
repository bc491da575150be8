import OAuthTopConfig
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
                + "(allowed: provider, emergency_key, max_duration, approval_file, token_type)"
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
            "emergency_key: a fallback entry has either 'provider' or 'emergency_key', not both: write two entries"
        ),
        BadCase(
            fallback: "      - {approval_file: /tmp/x}",
            position: "8:9",
            "fallback: a fallback entry needs either 'provider: NAME' (another provider's token) or "
                + "'emergency_key: {env: NAME} or {file: PATH}' with 'max_duration'"
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
        let outcome = parseConfig(text, environment: ["SECRET": "s-1", "EMERGENCY": "emergency-value-9"])
        let diagnostic = try #require(outcome.diagnostics.first, "no diagnostic for:\n\(text)")
        #expect(outcome.diagnostics.count == 1, "\(outcome.diagnostics)")
        #expect(diagnostic.message == bad.message)
        #expect(diagnostic.position == bad.position)
        #expect(outcome.value == nil)
        for diagnostic in outcome.diagnostics {
            #expect(!diagnostic.description.contains("emergency-inline-7"))
            #expect(!diagnostic.description.contains("emergency-value-9"))
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
