import DemoIdentityProvider
import Foundation
import Logging
import OAuthTopTestKit
import Primitives
import Testing

/// `oauthtop run --headless`: the daemon against an identity provider the test runs in-process.
@Suite("oauthtop run", .tags(.slow))
struct RunTests {
    static let clientID = "cli-test-client"
    static let providerName = "cli-test"
    /// Passed only through the child's environment; at least 32 characters (jwt-kit's HMAC assertion
    /// concerns the signing key, but a realistic secret is long anyway).
    static let clientSecret = "cli-test-client-secret-0123456789-abcdefghij"

    @Test(
        "SIGTERM stops cleanly, store 0600; a restart reuses the token, then refreshes with the rotated one",
        .timeLimit(.minutes(5))
    )
    func restartReusesStoredToken() async throws {
        var configuration = DemoIdentityProviderConfiguration()
        configuration.endpoints = [DemoEndpointSpec(name: "primary")]
        configuration.clients = [DemoClient(id: Self.clientID, secret: Self.clientSecret)]
        configuration.tokenLifetime = .seconds(60)
        let provider = DemoIdentityProvider(
            configuration: configuration, logger: Logger(label: "cli-test.idp") { _ in SwiftLogNoOpLogHandler() }
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await provider.run() }
            defer { group.cancelAll() }
            let endpoint = try await provider.waitUntilListening()[0]
            let initialRefreshToken = provider.issueRefreshToken(clientID: Self.clientID)
            try await Sandbox.with { sandbox in
                try await self.runTwice(
                    provider: provider, endpoint: endpoint, initialRefreshToken: initialRefreshToken, sandbox: sandbox
                )
            }
        }
    }

    private func runTwice(
        provider: DemoIdentityProvider,
        endpoint: DemoEndpoint,
        initialRefreshToken: String,
        sandbox: Sandbox
    ) async throws {
        let stateDirectory = sandbox.path("state-dir")
        try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
        let config = try sandbox.write(
            "oauthtop.yaml",
            """
            state_dir: '\(stateDirectory)'
            log_level: info
            providers:
              - name: \(Self.providerName)
                grant: refresh_token
                token_endpoints: [\(endpoint.url)]
                client_id: \(Self.clientID)
                client_secret: {env: CLI_TEST_CLIENT_SECRET}
                refresh_token: {env: CLI_TEST_REFRESH_TOKEN}

            """
        )
        let environment = sandbox.environment([
            "CLI_TEST_CLIENT_SECRET": Self.clientSecret, "CLI_TEST_REFRESH_TOKEN": initialRefreshToken,
        ])
        let arguments = ["run", "--headless", "--config", config, "--listen", "127.0.0.1:0"]
        let secrets = [Self.clientSecret, initialRefreshToken]

        // First run: fetch a token, stop on SIGTERM, store written.
        let firstSuccess = try await ChildProcess.with(arguments, environment: environment) { daemon in
            let success = try await daemon.waitForEvent("refresh_succeeded", timeout: .seconds(60))
            #expect(success.string("provider") == Self.providerName)
            daemon.terminate()
            let status = try await daemon.waitForExit(timeout: .seconds(60))
            #expect(status == 0, "stderr: \(daemon.stderrText)")
            #expect(try daemon.events().last?.event == "stopped")
            self.expectNoSecret(in: daemon.stdoutText + daemon.stderrText, secrets: secrets)
            return success
        }
        try self.checkStore(path: stateDirectory + "/tokens.json")
        let requestsBeforeRestart = provider.statistics().total.requests
        #expect(requestsBeforeRestart >= 1)

        // Second run: the stored token is still valid, so no request until the advisory window; then the advisory
        // refresh must succeed, which needs the rotated refresh token from the store.
        try await ChildProcess.with(arguments, environment: environment) { daemon in
            let loaded = try await daemon.waitForEvent("store_loaded", timeout: .seconds(60))
            #expect(loaded.string("provider") == Self.providerName)
            #expect(loaded.bool("valid_token") == true, "\(loaded)")
            // A 60 s token's advisory window opens 18-21 s before expiry, i.e. >= 39 s after it was issued: the
            // restarted daemon must not ask for a token before then (three seconds' allowance: the first success
            // event follows the issue, by over a second on a loaded machine). The refresh itself proves that moment
            // came; no fixed watch is needed.
            let refreshed = try await daemon.waitForEvent("refresh_succeeded", timeout: .seconds(120))
            #expect(refreshed.string("provider") == Self.providerName)
            #expect(refreshed.bool("rotated_refresh_token") == true)
            let started = try #require(try daemon.events().first { $0.event == "refresh_started" })
            #expect(
                started.timestamp.timeIntervalSince(firstSuccess.timestamp) >= 36,
                "the restarted daemon asked for a token although the stored one was valid: \(started)"
            )
            #expect(
                provider.statistics().total.requests == requestsBeforeRestart + 1,
                "the restarted daemon asked for a token although the stored one was valid"
            )
            let statistics = provider.statistics()
            #expect(statistics.total.invalidGrant == 0, "the daemon presented a dead refresh token")
            #expect(statistics.total.issued == 2)
            daemon.terminate()
            #expect(try await daemon.waitForExit(timeout: .seconds(60)) == 0, "stderr: \(daemon.stderrText)")
            self.expectNoSecret(in: daemon.stdoutText + daemon.stderrText, secrets: secrets)
        }

        // The initial refresh token was rotated away by the first run: presenting it now is invalid_grant.
        // So the second run's success came from the rotated token in the store.
        let probe = try await LoopbackHTTP.postForm(
            endpoint.url, form: [("grant_type", "refresh_token"), ("refresh_token", initialRefreshToken)],
            basicUser: Self.clientID, password: Self.clientSecret
        )
        #expect(probe.status == 400)
        #expect(probe.body.contains("invalid_grant"))
    }

    /// The store: mode 0600, valid JSON, holding the provider, and never the client secret.
    private func checkStore(path: String) throws {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        let mode = try #require(attributes[.posixPermissions] as? NSNumber).intValue
        #expect(mode & 0o777 == 0o600, "tokens.json has mode \(String(mode & 0o777, radix: 8))")
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let json = try JSONDecoder().decode(JSONValue.self, from: data)
        guard case .object(let top) = json, case .object(let providers) = top["providers"] else {
            Issue.record("tokens.json has no \"providers\" object")
            return
        }
        #expect(providers[Self.providerName] != nil, "tokens.json lacks provider \(Self.providerName)")
        #expect(!String(decoding: data, as: UTF8.self).contains(Self.clientSecret), "the client secret was stored")
    }

    private func expectNoSecret(in output: String, secrets: [String]) {
        for secret in secrets {
            #expect(!output.contains(secret), "a secret appeared in the daemon's output")
        }
        #expect(!output.contains("eyJ"), "a JWT-looking string appeared in the daemon's output")
    }

    @Test("an unset {env: X} secret: exit 2, FILE:LINE:COL and the variable named, no stack trace")
    func unsetEnvironmentVariable() async throws {
        try await Sandbox.with { sandbox in
            try sandbox.copyFixture("unset-env.yaml")
            let result = try await ChildProcess.run(
                ["run", "--headless", "--config", "unset-env.yaml", "--listen", "127.0.0.1:0"],
                environment: sandbox.environment(), directory: sandbox.directory
            )
            #expect(result.status == 2, "stderr: \(result.stderr)")
            #expect(
                result.stderr.contains(
                    "unset-env.yaml:7:26: error: client_secret.env: environment variable "
                        + "'OAUTHTOP_CLI_TEST_MISSING_SECRET' is not set"
                ),
                "stderr: \(result.stderr)"
            )
            for trace in ["Fatal error", "Stack dump", "Current stack trace", "backtrace", "Error: "] {
                #expect(!result.stderr.contains(trace), "'\(trace)' in stderr: \(result.stderr)")
            }
            #expect(result.stdout.isEmpty, "no event may be printed: \(result.stdout)")
        }
    }
}
