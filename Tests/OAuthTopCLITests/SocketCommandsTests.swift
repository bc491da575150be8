import Foundation
import OAuthTopTestKit
import Testing

/// `oauthtop token`, `status` and `refresh` against a running `oauthtop run --headless`, over its
/// token socket.
@Suite("oauthtop token/status/refresh")
struct SocketCommandsTests {
    @Test(
        "token, status and refresh talk to the daemon; a terminal gets no token without --show",
        .timeLimit(.minutes(3))
    )
    func commandsAgainstDaemon() async throws {
        try await InProcessIdentityProvider.with { idp in
            try await Sandbox.with { sandbox in
                let socket = sandbox.path("run/oauthtop.sock")
                let config = try sandbox.write(
                    "oauthtop.yaml",
                    "state_dir: '\(sandbox.path("state"))'\nsocket: {path: '\(socket)'}\n" + idp.providersYAML
                )
                let environment = sandbox.environment(idp.environment)
                let arguments = ["run", "--headless", "--config", config, "--listen", "127.0.0.1:0"]
                try await ChildProcess.with(arguments, environment: environment) { daemon in
                    let listening = try await daemon.waitForEvent("socket_listening", timeout: .seconds(60))
                    #expect(listening.string("path") == socket)
                    try await self.exercise(socket: socket, sandbox: sandbox, idp: idp, daemon: daemon)
                    try await self.execThroughDaemon(socket: socket, sandbox: sandbox, idp: idp)
                    try await self.secondDaemonRefused(socket: socket, sandbox: sandbox, idp: idp)
                    daemon.terminate()
                    #expect(try await daemon.waitForExit(timeout: .seconds(60)) == 0)
                    #expect(!FileManager.default.fileExists(atPath: socket), "the socket is removed on exit")
                }
            }
        }
    }

    /// `oauthtop exec` with a daemon running takes its token from the daemon (no manager of its own, so
    /// no request to the identity provider) and names the daemon's endpoint in $OAUTHTOP_TOKEN_URL.
    private func execThroughDaemon(socket: String, sandbox: Sandbox, idp: InProcessIdentityProvider) async throws {
        let environment = sandbox.environment()
        let name = InProcessIdentityProvider.providerName
        let token = try await ChildProcess.run(["token", name, "--socket", socket], environment: environment)
        let requestsBefore = idp.provider.statistics().total.requests
        let script = """
            test "$(cat "$OAUTHTOP_TOKEN_FILE")" = "$EXPECTED" || exit 3
            case "$OAUTHTOP_TOKEN_URL" in http+unix://*/v1/token/\(name)) ;; *) exit 4 ;; esac
            exit 7
            """
        var childEnvironment = environment
        childEnvironment["EXPECTED"] = token.stdout.trimmingCharacters(in: .newlines)
        let exec = try await ChildProcess.run(
            ["exec", "--socket", socket, "--", "/bin/sh", "-c", script], environment: childEnvironment
        )
        #expect(exec.status == 7, "the child's own status comes back; 3: wrong token, 4: no token URL")
        #expect(idp.provider.statistics().total.requests == requestsBefore, "the daemon's token, no refresh")
    }

    private func exercise(
        socket: String, sandbox: Sandbox, idp: InProcessIdentityProvider, daemon: ChildProcess
    ) async throws {
        let environment = sandbox.environment()
        let name = InProcessIdentityProvider.providerName
        let token = try await ChildProcess.run(["token", name, "--socket", socket], environment: environment)
        #expect(token.status == 0, "stderr: \(token.stderr)")
        let value = token.stdout.trimmingCharacters(in: .newlines)
        #expect(!value.isEmpty && !value.contains(" ") && token.stdout.hasSuffix("\n"))

        let json = try await ChildProcess.run(["token", name, "--json", "--socket", socket], environment: environment)
        #expect(json.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["access_token", "token_type", "expires_at", "expires_in"])
        #expect(object["access_token"] as? String == value)
        #expect((object["expires_in"] as? Int).map { $0 > 200 } == true)

        let status = try await ChildProcess.run(["status", "--socket", socket], environment: environment)
        #expect(status.status == 0, "stderr: \(status.stderr)")
        #expect(status.stdout.contains(name) && status.stdout.contains("CONSUMERS") && status.stdout.contains("pid"))
        let statusJSON = try await ChildProcess.run(["status", "--json", "--socket", socket], environment: environment)
        let decoded = try #require(
            try JSONSerialization.jsonObject(with: Data(statusJSON.stdout.utf8)) as? [String: Any]
        )
        let consumers = try #require(decoded["consumers"] as? [[String: Any]])
        #expect(consumers.count >= 3, "each command is a consumer of its own (pid)")
        let daemonInfo = try #require(decoded["daemon"] as? [String: Any])
        #expect(daemonInfo["pid"] as? Int == Int(daemon.pid))

        let refresh = try await ChildProcess.run(["refresh", name, "--socket", socket], environment: environment)
        #expect(refresh.status == 0, "stderr: \(refresh.stderr)")
        #expect(refresh.stdout.hasPrefix("\(name): refreshed, token sha256:"))
        let after = try await ChildProcess.run(["token", name, "--socket", socket], environment: environment)
        #expect(after.stdout != token.stdout, "a refresh gives a new token")
        let all = try await ChildProcess.run(["refresh", "--socket", socket], environment: environment)
        #expect(all.status == 0)
        let unknown = try await ChildProcess.run(["refresh", "nope", "--socket", socket], environment: environment)
        #expect(unknown.status == 1 && unknown.stderr.contains("unknown_provider"))

        // A terminal: `script` gives the command a pseudo-terminal as stdout.
        let binary = try CLIBinary.located()
        let terminal = try await ChildProcess.run(
            executable: "/usr/bin/script",
            ["-qec", "\(binary) token \(name) --socket \(socket)", "/dev/null"], environment: environment
        )
        #expect(terminal.status == 1)
        #expect(terminal.combined.contains("refusing to print a token to a terminal; pipe it, or add --show"))
        #expect(!terminal.combined.contains(value))

        for secret in [value, InProcessIdentityProvider.clientSecret, idp.refreshToken] {
            let daemonOutput = daemon.stdoutText + daemon.stderrText
            #expect(!daemonOutput.contains(secret), "a secret in the daemon's output")
            #expect(!status.stdout.contains(secret) && !refresh.stdout.contains(secret))
        }
    }

    /// A second daemon given the same socket with `--socket` stops with an error instead of taking it over.
    private func secondDaemonRefused(socket: String, sandbox: Sandbox, idp: InProcessIdentityProvider) async throws {
        let config = try sandbox.write(
            "second.yaml", "state_dir: '\(sandbox.path("state-2"))'\n" + idp.providersYAML
        )
        let second = try await ChildProcess.run(
            ["run", "--headless", "--config", config, "--listen", "127.0.0.1:0", "--socket", socket],
            environment: sandbox.environment(idp.environment)
        )
        #expect(second.status != 0)
        #expect(second.stderr.contains("another oauthtop daemon is already serving \(socket)"), "\(second.stderr)")
        let status = try await ChildProcess.run(["status", "--socket", socket], environment: sandbox.environment())
        #expect(status.status == 0, "the first daemon still serves")
    }

    @Test("with no daemon, each command says where it looked and how to start one")
    func noDaemon() async throws {
        try await Sandbox.with { sandbox in
            let socket = sandbox.path("absent.sock")
            for arguments in [["status"], ["refresh"], ["token", "x"]] {
                let result = try await ChildProcess.run(
                    arguments + ["--socket", socket], environment: sandbox.environment()
                )
                #expect(result.status == 1)
                #expect(
                    result.stderr
                        == "oauthtop: no oauthtop daemon at \(socket): start `oauthtop run --headless` "
                        + "(or give --socket PATH)\n"
                )
            }
        }
    }
}
