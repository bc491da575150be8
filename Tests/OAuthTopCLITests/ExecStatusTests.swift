import Foundation
import OAuthTopTestKit
import Testing

/// `oauthtop exec`'s contract with the command line: exit statuses, signals, provider choice, and the
/// token's places (file, `--env`), against an identity provider in this process. Serialized: each test
/// starts a binary and a provider, and a burst of them would slow the timing-sensitive suites beside.
@Suite("oauthtop exec: statuses and signals", .serialized)
struct ExecStatusTests {
    /// Runs `oauthtop exec ARGS -- COMMAND` with a configuration for the in-process provider.
    private func exec(
        _ command: [String],
        options: [String] = [],
        extraProviders: String = "",
        body: (ChildProcess.Completed, InProcessIdentityProvider) throws -> Void
    ) async throws {
        try await InProcessIdentityProvider.with { idp in
            try await Sandbox.with { sandbox in
                let config = try sandbox.write(
                    "oauthtop.yaml", "state_dir: '\(sandbox.path("state"))'\n" + idp.providersYAML + extraProviders
                )
                let result = try await ChildProcess.run(
                    ["exec", "--config", config] + options + ["--"] + command,
                    environment: sandbox.environment(idp.environment)
                )
                try body(result, idp)
            }
        }
    }

    @Test("the command's exit status comes back", arguments: [0, 3, 77])
    func exitStatus(code: Int) async throws {
        try await self.exec(["sh", "-c", "exit \(code)"]) { result, _ in
            #expect(result.status == Int32(code), "stderr: \(result.stderr)")
            #expect(result.stderr.isEmpty, "oauthtop stays quiet on the command's stderr by default")
        }
    }

    @Test("a command killed by a signal gives 128 + the signal, as a shell reports it")
    func killedBySignal() async throws {
        try await self.exec(["sh", "-c", "kill -KILL $$"]) { result, _ in
            #expect(result.status == 128 + SIGKILL)
        }
    }

    @Test("the file holds the token, --env the same token, and nothing of it reaches oauthtop's output")
    func tokenPlaces() async throws {
        let script = #"test "$(cat "$OAUTHTOP_TOKEN_FILE")" = "$JOB_TOKEN" && "#
            + #"echo "same $OAUTHTOP_PROVIDER $(stat -c %a "$OAUTHTOP_TOKEN_FILE")""#
        let options = ["--env", "JOB_TOKEN", "--log-level", "debug"]
        try await self.exec(["sh", "-c", script], options: options) { result, idp in
            #expect(result.status == 0, "stderr: \(result.stderr)")
            #expect(result.stdout == "same \(InProcessIdentityProvider.providerName) 600\n")
            #expect(!result.stderr.contains(idp.refreshToken))
            #expect(!result.stderr.contains(InProcessIdentityProvider.clientSecret))
        }
    }

    @Test("without a daemon, $OAUTHTOP_TOKEN_URL is served by exec's own private socket, with the file's token")
    func privateTokenURL() async throws {
        let script = """
            import json, os, socket, urllib.parse
            url = os.environ["OAUTHTOP_TOKEN_URL"]
            assert url.startswith("http+unix://"), "not an http+unix URL"
            encoded, path = url[len("http+unix://"):].split("/", 1)
            connection = socket.socket(socket.AF_UNIX)
            connection.connect(urllib.parse.unquote(encoded))
            connection.sendall(f"GET /{path} HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n".encode())
            answer = b""
            while chunk := connection.recv(65536):
                answer += chunk
            head, body = answer.split(b"\\r\\n\\r\\n", 1)
            token = json.loads(body)["access_token"]
            with open(os.environ["OAUTHTOP_TOKEN_FILE"]) as file:
                print("same" if token == file.read().strip() else "different", head.split(b" ")[1].decode())
            """
        try await self.exec(["python3", "-c", script]) { result, idp in
            #expect(result.status == 0, "stderr: \(result.stderr)")
            #expect(result.stdout == "same 200\n")
            #expect(!result.stderr.contains(idp.refreshToken))
        }
    }

    @Test("the command inherits stdin, stdout and stderr only, none of oauthtop's other descriptors")
    func onlyStandardDescriptors() async throws {
        try await self.exec(["sh", "-c", "ls /proc/$$/fd"]) { result, _ in
            #expect(result.status == 0, "stderr: \(result.stderr)")
            #expect(Set(result.stdoutLines) == ["0", "1", "2"], "\(result.stdoutLines)")
        }
    }

    @Test("--token-file puts the file where asked and removes it afterwards")
    func explicitTokenFile() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("exec-\(UUID().uuidString).token").path
        let script = #"test "$OAUTHTOP_TOKEN_FILE" = "$0" && test -s "$0""#
        try await self.exec(["sh", "-c", script, path], options: ["--token-file", path]) { result, _ in
            #expect(result.status == 0, "stderr: \(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test("SIGHUP sent to oauthtop exec reaches the command, whose handler decides the status")
    func forwardsHangUp() async throws {
        try await InProcessIdentityProvider.with { idp in
            try await Sandbox.with { sandbox in
                let config = try sandbox.write("oauthtop.yaml", idp.providersYAML)
                let script = #"trap 'echo got-hup; exit 9' HUP; echo ready; while :; do sleep 0.05; done"#
                try await ChildProcess.with(
                    ["exec", "--config", config, "--", "sh", "-c", script],
                    environment: sandbox.environment(idp.environment)
                ) { exec in
                    let ready = await eventually(timeout: .seconds(60)) { exec.stdoutLines.contains("ready") }
                    #expect(ready, "stderr: \(exec.stderrText)")
                    exec.send(SIGHUP)
                    let status = try await exec.waitForExit(timeout: .seconds(30))
                    #expect(status == 9)
                    #expect(exec.stdoutLines.contains("got-hup"))
                }
            }
        }
    }

    @Test("a command not found is 127, and nothing is left behind")
    func commandNotFound() async throws {
        try await self.exec(["no-such-command-oauthtop-test"]) { result, _ in
            #expect(result.status == 127)
            #expect(result.stderr.contains("no-such-command-oauthtop-test: command not found"))
        }
    }

    @Test("with several providers and no --provider, the error lists them; an unknown name is refused")
    func providerChoice() async throws {
        let second = """
              - name: other
                grant: client_credentials
                token_endpoints: [http://127.0.0.1:9/token]
                client_id: other
                client_secret: {env: CLI_TEST_CLIENT_SECRET}

            """
        try await self.exec(["true"], extraProviders: second) { result, _ in
            #expect(result.status == 2)
            #expect(result.stderr.contains("several providers are configured ('cli-alerting', 'other')"))
            #expect(result.stderr.contains("--provider"))
        }
        try await self.exec(["true"], options: ["--provider", "nope"], extraProviders: second) { result, _ in
            #expect(result.status == 2)
            #expect(result.stderr.contains("no provider named 'nope'"))
        }
        let name = InProcessIdentityProvider.providerName
        try await self.exec(["true"], options: ["--provider", name], extraProviders: second) { result, _ in
            #expect(result.status == 0, "stderr: \(result.stderr)")
        }
    }

    @Test("with --listen, /metrics shows the running task and the token file's write while the command runs")
    func metricsWhileRunning() async throws {
        let port = try freeLoopbackPort()
        let script = """
            import sys, time, urllib.request
            for _ in range(400):
                try:
                    text = urllib.request.urlopen(sys.argv[1], timeout=2).read().decode()
                    if "oauthtop_exec_tasks_running" in text:
                        print(text)
                        sys.exit(0)
                except Exception:
                    pass
                time.sleep(0.05)
            sys.exit(5)
            """
        let url = "http://127.0.0.1:\(port)/metrics"
        try await self.exec(["python3", "-c", script, url], options: ["--listen", "127.0.0.1:\(port)"]) { result, _ in
            #expect(result.status == 0, "stderr: \(result.stderr)")
            let lines = result.stdoutLines
            let provider = #"provider="\#(InProcessIdentityProvider.providerName)""#
            let running = lines.first { $0.hasPrefix("oauthtop_exec_tasks_running{") && $0.contains(provider) }
            #expect(running?.hasSuffix(" 1") == true, "\(running ?? "no oauthtop_exec_tasks_running")")
            let writes = lines.first {
                $0.hasPrefix("oauth_token_requests_total{") && $0.contains(#"consumer="exec""#)
                    && $0.contains(#"outcome="success""#)
            }
            #expect(writes?.hasSuffix(" 1") == true, "\(lines.filter { $0.contains("oauth_token_requests") })")
            #expect(lines.contains { $0.hasPrefix("oauth_token_expired_during_task_total{") && $0.contains(provider) })
        }
    }

    @Test("a signal while the first token is awaited ends oauthtop exec (128 + signal) without starting the command")
    func interruptedBeforeStart() async throws {
        // A token endpoint that accepts connections (the kernel's backlog) and never answers.
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(listener, socketAddress, length) == 0 && listen(listener, 16) == 0
                    && getsockname(listener, socketAddress, &length) == 0
            }
        }
        try #require(bound)
        let port = UInt16(bigEndian: address.sin_port)
        try await Sandbox.with { sandbox in
            let config = try sandbox.write(
                "oauthtop.yaml",
                """
                providers:
                  - name: silent
                    grant: client_credentials
                    token_endpoints: [http://127.0.0.1:\(port)/token]
                    client_id: c
                    client_secret: {env: SILENT_SECRET}

                """
            )
            let marker = sandbox.path("started")
            let arguments = ["exec", "--config", config, "--", "touch", marker]
            let environment = sandbox.environment(["SILENT_SECRET": "silent-secret", "TMPDIR": sandbox.path("")])
            try await ChildProcess.with(arguments, environment: environment) { exec in
                let waiting = await eventually(timeout: .seconds(30)) {
                    let names = (try? FileManager.default.contentsOfDirectory(atPath: sandbox.directory.path)) ?? []
                    return names.contains { $0.hasPrefix("oauthtop-exec-") }
                }
                #expect(waiting, "the private directory exists while the first token is awaited")
                exec.send(SIGINT)
                let status = try await exec.waitForExit(timeout: .seconds(30))
                #expect(status == 128 + SIGINT, "stderr: \(exec.stderrText)")
                #expect(!FileManager.default.fileExists(atPath: marker), "the command never started")
                let names = try FileManager.default.contentsOfDirectory(atPath: sandbox.directory.path)
                #expect(!names.contains { $0.hasPrefix("oauthtop-exec-") }, "the private directory is removed")
            }
        }
    }
}
