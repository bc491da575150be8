import DemoIdentityProvider
import Foundation
import Logging
import OAuthTopTestKit
import Primitives
import Testing

/// `oauthtop exec` on a real job: a Python child that reads `$OAUTHTOP_TOKEN_FILE` before each call to
/// the demo identity provider's protected resource, for several token lifetimes while the token
/// endpoint fails and slows down.
@Suite("oauthtop exec", .tags(.slow))
struct ExecTests {
    static let clientID = "exec-test-client"
    static let clientSecret = "exec-test-client-secret-0123456789-abcdefghij"
    /// Short tokens, so that a few dozen seconds span several lifetimes.
    static let lifetime: Duration = .seconds(5)

    @Test(
        "every call of a long job is accepted while tokens rotate under faults; SIGTERM reaches it; its status returns",
        .timeLimit(.minutes(5))
    )
    func longJobUnderFaults() async throws {
        var configuration = DemoIdentityProviderConfiguration()
        configuration.clients = [DemoClient(id: Self.clientID, secret: Self.clientSecret)]
        configuration.tokenLifetime = Self.lifetime
        // A slow answer that the client's first timeout step abandons still rotated the refresh token on
        // the server; as real providers do (and the demo), the presented one keeps working a little while.
        configuration.refreshTokenReuseInterval = .seconds(10)
        // Faults between refreshes, measured from the provider's start: the primary fails with 500s (the
        // manager fails over), then both endpoints answer slowly (past the first timeout step), then a
        // few 500s on both (retries).
        let schedule = FaultSchedule(faults: [
            Fault(kind: .httpError(status: 500), start: .seconds(3), end: .seconds(9), endpoints: ["primary"]),
            Fault(kind: .slow(delay: .milliseconds(1_200)), start: .seconds(10), end: .seconds(15)),
            Fault(kind: .httpError(status: 500), start: .seconds(16), count: 3),
            Fault(kind: .httpError(status: 503), start: .seconds(22), end: .seconds(24), endpoints: ["primary"]),
        ])
        let provider = DemoIdentityProvider(
            configuration: configuration, schedule: schedule,
            logger: Logger(label: "exec-test.idp") { _ in SwiftLogNoOpLogHandler() }
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await provider.run() }
            defer { group.cancelAll() }
            let endpoints = try await provider.waitUntilListening()
            let refreshToken = provider.issueRefreshToken(clientID: Self.clientID)
            try await Sandbox.with { sandbox in
                try await self.runJob(provider: provider, endpoints: endpoints, refreshToken: refreshToken, in: sandbox)
            }
        }
    }

    private func runJob(
        provider: DemoIdentityProvider,
        endpoints: [DemoEndpoint],
        refreshToken: String,
        in sandbox: Sandbox
    ) async throws {
        let config = try sandbox.write("oauthtop.yaml", Self.configuration(endpoints: endpoints, sandbox: sandbox))
        let script = try sandbox.copyFixture("resource-client.py")
        // The resource is served on every endpoint's listener; the secondary's has no 500s of its own.
        let resource = "http://\(endpoints[1].host):\(endpoints[1].port)/api/resource"
        let environment = sandbox.environment([
            "EXEC_TEST_CLIENT_SECRET": Self.clientSecret, "EXEC_TEST_REFRESH_TOKEN": refreshToken,
        ])
        let arguments = ["exec", "--config", config, "--log-level", "info", "--", "python3", script, resource]
        try await ChildProcess.with(arguments, environment: environment) { exec in
            // Five lifetimes of calls, one a second.
            let enough = try await eventually(timeout: .seconds(120), every: .milliseconds(200)) {
                try Self.lines(exec.stdoutLines).filter { $0["event"] == .string("call") }.count >= 26
            }
            #expect(enough, "stdout: \(exec.stdoutText.suffix(2_000)) stderr: \(exec.stderrText.suffix(2_000))")
            exec.terminate()
            let status = try await exec.waitForExit(timeout: .seconds(60))
            #expect(status == 42, "the child's exit status comes back; stderr: \(exec.stderrText.suffix(2_000))")

            let lines = try Self.lines(exec.stdoutLines)
            let started = try #require(lines.first { $0["event"] == .string("started") })
            guard case .string(let path) = started["token_file"] else {
                Issue.record("no token_file in \(started)")
                return
            }
            #expect(started["file_mode"] == .string("0o600"))
            #expect(started["directory_mode"] == .string("0o700"))
            #expect(started["provider"] == .string("exec-test"))
            #expect(!FileManager.default.fileExists(atPath: path), "the token file is removed")
            #expect(!FileManager.default.fileExists(atPath: (path as NSString).deletingLastPathComponent))

            let calls = lines.filter { $0["event"] == .string("call") }
            let refused = calls.filter { $0["status"] != .number(200) }
            let detail = "\(refused.count) were not: \(Self.summary(calls)); stderr: \(exec.stderrText.suffix(6_000))"
            #expect(refused.isEmpty, "every call is accepted; \(detail)")
            let tokens = Set(calls.compactMap { call -> String? in
                if case .string(let token) = call["token"] { return token }
                return nil
            })
            #expect(tokens.count >= 4, "the token in the file changed with each lifetime: \(tokens.count) tokens")
            let signal = try #require(lines.first { $0["event"] == .string("signal") })
            #expect(signal["signal"] == .number(Double(SIGTERM)), "SIGTERM was forwarded to the child")

            let statistics = provider.statistics()
            #expect(statistics.resourceRejected == 0)
            #expect(statistics.resourceAccepted >= calls.count)
            #expect(statistics.faultHits.reduce(0, +) > 0, "faults happened during the job: \(statistics.faultHits)")
            for secret in [Self.clientSecret, refreshToken] {
                #expect(!(exec.stdoutText + exec.stderrText).contains(secret))
            }
        }
    }

    /// oauthtop.yaml for the test provider, with refresh windows scaled to 5-second tokens: the background
    /// refresh starts 4 s before expiry, so that a round slowed by the faults and by a whole suite starting
    /// on 2 cores still replaces the file's token before the resource refuses it (the token's `exp` is in
    /// whole seconds, up to 1 s before `expires_in` says).
    static func configuration(endpoints: [DemoEndpoint], sandbox: Sandbox) -> String {
        """
        state_dir: '\(sandbox.path("state-dir"))'
        providers:
          - name: exec-test
            grant: refresh_token
            token_endpoints: [\(endpoints.map(\.url).joined(separator: ", "))]
            client_id: \(Self.clientID)
            client_secret: {env: EXEC_TEST_CLIENT_SECRET}
            refresh_token: {env: EXEC_TEST_REFRESH_TOKEN}
            refresh: {advisory: 0.8, mandatory: 0.2, jitter: 0, min_mandatory: 1s}
            retry: {max_attempts: 4, base_delay: 100ms, max_delay: 400ms}
            timeouts: [{connect: 500ms, total: 1s}, {connect: 1s, total: 3s}]
            breaker: {failure_threshold: 6, cool_down: 1s}

        """
    }

    /// `status:token` of each call, in order.
    static func summary(_ calls: [[String: JSONValue]]) -> String {
        calls.map { call in
            var text = ""
            if case .number(let status) = call["status"] { text += "\(Int(status))" }
            if case .string(let token) = call["token"] { text += ":" + token }
            return text
        }.joined(separator: " ")
    }

    static func lines(_ lines: [String]) throws -> [[String: JSONValue]] {
        try lines.filter { $0.hasPrefix("{") }.map { line in
            guard case .object(let fields) = try JSONDecoder().decode(JSONValue.self, from: Data(line.utf8)) else {
                throw CLITestFailure("not a JSON object: \(line)")
            }
            return fields
        }
    }
}
