import Foundation
import OAuthTopTestKit
import Testing

/// `oauthtop credential git` and `oauthtop credential kubectl` driven by the real clients (git, kubectl)
/// against a running `oauthtop run --headless`, with a loopback fake server that checks the credential.
@Suite("oauthtop credential git/kubectl")
struct CredentialHelpersTests {
    static let git = Tool.find("git")
    static let kubectl = Tool.find("kubectl")
    static let python = Tool.find("python3")
    static let openssl = Tool.find("openssl")

    @Test(
        "git credential fill and git ls-remote get the daemon's token through the helper; the server accepts it",
        .enabled(if: git != nil && python != nil, "needs git and python3 on PATH"),
        .timeLimit(.minutes(3))
    )
    func gitHelper() async throws {
        let git = try #require(Self.git)
        try await Daemon.with { daemon in
            let sandbox = daemon.sandbox
            let token = try await daemon.token()
            let log = sandbox.path("requests.log")
            try await FakeServer.with(sandbox: sandbox, expected: token, log: log, tls: nil) { port in
                let helper = "!\(try CLIBinary.located()) credential git --provider \(daemon.provider) "
                    + "--socket \(daemon.socket)"
                let environment = sandbox.environment(["GIT_TERMINAL_PROMPT": "0", "GIT_CONFIG_NOSYSTEM": "1"])
                let config = ["-c", "credential.helper=", "-c", "credential.helper=\(helper)"]

                let input = try sandbox.write("fill.txt", "protocol=http\nhost=127.0.0.1:\(port)\n\n")
                let fill = try await ChildProcess.run(
                    executable: git, config + ["credential", "fill"], environment: environment,
                    directory: sandbox.directory, stdin: FileHandle(forReadingAtPath: input)
                )
                #expect(fill.status == 0, "stderr: \(fill.stderr)")
                // Compared aside, so that a failure does not print the token.
                let answered = fill.stdoutLines.contains("password=\(token)")
                #expect(answered, "git credential fill answers the daemon's token as the password")
                #expect(fill.stdoutLines.contains("username=x-access-token"))
                #expect(fill.stdoutLines.contains("host=127.0.0.1:\(port)"), "the request passes through")

                let named = try await ChildProcess.run(
                    executable: git, ["-c", "credential.helper=", "-c", "credential.helper=\(helper) --username bot"]
                        + ["credential", "fill"], environment: environment, directory: sandbox.directory,
                    stdin: FileHandle(forReadingAtPath: input)
                )
                #expect(named.stdoutLines.contains("username=bot"), "stderr: \(named.stderr)")

                // git itself: a 401 makes it ask the helper, and it retries with the token as Basic password.
                let lsRemote = try await ChildProcess.run(
                    executable: git, config + ["ls-remote", "http://127.0.0.1:\(port)/repo.git"],
                    environment: environment, directory: sandbox.directory
                )
                #expect(lsRemote.status == 0, "stderr: \(lsRemote.stderr)")
                #expect(lsRemote.stdout.contains("refs/heads/main"))
                let basic = "Basic " + Data("x-access-token:\(token)".utf8).base64EncodedString()
                let requests = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
                let accepted = requests.contains("/repo.git/info/refs 200 \(basic)")
                #expect(accepted, "the server accepted the token as git's Basic password (\(requests.count) requests)")
                let leaked = lsRemote.combined.contains(token) || fill.stderr.contains(token)
                #expect(!leaked, "no token in git's messages")
            }
        }
    }

    @Test(
        "kubectl runs the exec plugin and sends its bearer token; every command re-runs it, the daemon's cache answers",
        .enabled(if: kubectl != nil && python != nil && openssl != nil, "needs kubectl, python3 and openssl on PATH"),
        .timeLimit(.minutes(3))
    )
    func kubectlPlugin() async throws {
        let kubectl = try #require(Self.kubectl)
        let openssl = try #require(Self.openssl)
        try await Daemon.with { daemon in
            let sandbox = daemon.sandbox
            let token = try await daemon.token()
            let fingerprint = try await daemon.fingerprint()
            // kubectl v1.32 sends no credential to a plain-http server, so the fake API server speaks TLS.
            let key = sandbox.path("key.pem")
            let certificate = sandbox.path("cert.pem")
            let made = try await ChildProcess.run(
                executable: openssl,
                [
                    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", key, "-out", certificate, "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1",
                ],
                environment: sandbox.environment()
            )
            try #require(made.status == 0, "openssl: \(made.stderr)")
            let log = sandbox.path("requests.log")
            let runs = sandbox.path("plugin-runs.log")
            let binary = try CLIBinary.located()
            // Counts the plugin's runs (with the exec info kubectl passes) before handing over to oauthtop.
            let wrapper = try sandbox.write(
                "plugin.sh",
                "#!/bin/sh\nprintf '%s\\n' \"$KUBERNETES_EXEC_INFO\" >> '\(runs)'\n"
                    + "exec '\(binary)' credential kubectl --socket '\(daemon.socket)' \"$@\"\n"
            )
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: wrapper)
            try await FakeServer.with(sandbox: sandbox, expected: token, log: log, tls: (certificate, key)) { port in
                for (index, version) in ["v1", "v1beta1"].enumerated() {
                    // The v1beta1 user leaves --provider out: the daemon serves one provider, which is chosen.
                    let args = version == "v1" ? "[--provider, \(daemon.provider)]" : "[]"
                    let kubeconfig = try sandbox.write(
                        "kubeconfig-\(version)",
                        """
                        apiVersion: v1
                        kind: Config
                        clusters:
                          - name: fake
                            cluster: {server: "https://127.0.0.1:\(port)", certificate-authority: "\(certificate)"}
                        users:
                          - name: oauthtop
                            user:
                              exec:
                                apiVersion: client.authentication.k8s.io/\(version)
                                command: \(wrapper)
                                args: \(args)
                                interactiveMode: Never
                        contexts:
                          - name: fake
                            context: {cluster: fake, user: oauthtop}
                        current-context: fake

                        """
                    )
                    for _ in 0..<3 {
                        let result = try await ChildProcess.run(
                            executable: kubectl,
                            ["--kubeconfig", kubeconfig, "get", "--raw", "/api/v1/namespaces/default/pods"],
                            environment: sandbox.environment()
                        )
                        #expect(result.status == 0, "kubectl \(version): \(result.stderr)")
                        #expect(result.stdout.contains("PodList"))
                    }
                    let execInfos = try String(contentsOfFile: runs, encoding: .utf8).split(separator: "\n")
                    // The truth of kubectl v1.32: it keeps the ExecCredential in memory only, so each
                    // command runs the plugin once (a run within one command would reuse it until expiry).
                    #expect(execInfos.count == 3 * (index + 1), "one plugin run per kubectl command")
                    let asked = "\"apiVersion\":\"client.authentication.k8s.io/\(version)\""
                    #expect(execInfos.last?.contains(asked) == true, "kubectl passes the version in KUBERNETES_EXEC_INFO")
                }
            }
            let requests = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
            let pods = requests.filter { $0.hasPrefix("/api/v1/namespaces/default/pods ") }
            #expect(pods.count == 6)
            let accepted = pods.allSatisfy { $0 == "/api/v1/namespaces/default/pods 200 Bearer \(token)" }
            #expect(accepted, "every request carried the daemon's token and was accepted")
            #expect(try await daemon.fingerprint() == fingerprint, "the daemon answered every run from its cache")
        }
    }

    @Test("bad input and no daemon: a clear error on stderr and exit 1")
    func errors() async throws {
        try await Sandbox.with { sandbox in
            let socket = sandbox.path("absent.sock")
            let bad = try sandbox.write("bad.txt", "protocol=https\nhost\n")
            let git = try await ChildProcess.run(
                ["credential", "git", "get", "--socket", socket], environment: sandbox.environment(),
                stdin: FileHandle(forReadingAtPath: bad)
            )
            #expect(git.status == 1)
            #expect(git.stderr == "oauthtop: git credential input line 2: expected key=value, found no '='\n")

            let good = try sandbox.write("good.txt", "protocol=https\nhost=h\n\n")
            for operation in ["store", "erase"] {
                let ignored = try await ChildProcess.run(
                    ["credential", "git", operation, "--socket", socket], environment: sandbox.environment(),
                    stdin: FileHandle(forReadingAtPath: good)
                )
                #expect(ignored.status == 0 && ignored.stdout.isEmpty, "\(operation): \(ignored.stderr)")
            }
            let noDaemon = try await ChildProcess.run(
                ["credential", "git", "get", "--socket", socket], environment: sandbox.environment(),
                stdin: FileHandle(forReadingAtPath: good)
            )
            #expect(noDaemon.status == 1 && noDaemon.stderr.contains("no oauthtop daemon at \(socket)"))

            let execInfo = try await ChildProcess.run(
                ["credential", "kubectl", "--provider", "p", "--socket", socket],
                environment: sandbox.environment(["KUBERNETES_EXEC_INFO": #"{"apiVersion":"v2"}"#])
            )
            #expect(execInfo.status == 1)
            #expect(execInfo.stderr.hasPrefix("oauthtop: KUBERNETES_EXEC_INFO: apiVersion 'v2' is not supported"))
        }
    }
}

/// An executable found on `PATH` (or in /usr/bin).
private enum Tool {
    static func find(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let directories = ["/usr/bin", "/bin"] + path.split(separator: ":").map(String.init)
        return directories.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

/// A running `oauthtop run --headless` with one provider (an in-process demo identity provider) and its socket.
private struct Daemon: Sendable {
    let sandbox: Sandbox
    let socket: String
    let provider = InProcessIdentityProvider.providerName

    static func with(_ body: (Daemon) async throws -> Void) async throws {
        try await InProcessIdentityProvider.with { idp in
            try await Sandbox.with { sandbox in
                let socket = sandbox.path("run/oauthtop.sock")
                let config = try sandbox.write(
                    "oauthtop.yaml",
                    "state_dir: '\(sandbox.path("state"))'\nsocket: {path: '\(socket)'}\n" + idp.providersYAML
                )
                let arguments = ["run", "--headless", "--config", config, "--listen", "127.0.0.1:0"]
                try await ChildProcess.with(arguments, environment: sandbox.environment(idp.environment)) { child in
                    _ = try await child.waitForEvent("socket_listening", timeout: .seconds(60))
                    try await body(Daemon(sandbox: sandbox, socket: socket))
                    for secret in [InProcessIdentityProvider.clientSecret, idp.refreshToken] {
                        let leaked = (child.stdoutText + child.stderrText).contains(secret)
                        #expect(!leaked, "a secret in the daemon's output")
                    }
                }
            }
        }
    }

    /// The provider's current token, as `oauthtop token` prints it.
    func token() async throws -> String {
        let result = try await ChildProcess.run(
            ["token", self.provider, "--socket", self.socket], environment: self.sandbox.environment()
        )
        try #require(result.status == 0, "oauthtop token: \(result.stderr)")
        return result.stdout.trimmingCharacters(in: .newlines)
    }

    /// The fingerprint of the provider's current token, from `oauthtop status --json`.
    func fingerprint() async throws -> String {
        let result = try await ChildProcess.run(
            ["status", "--json", "--socket", self.socket], environment: self.sandbox.environment()
        )
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let providers = try #require(object["providers"] as? [[String: Any]])
        return try #require(providers.first?["token_fingerprint"] as? String)
    }
}

/// A loopback Python server playing a git remote (dumb HTTP behind Basic auth, under `/repo.git`) and a
/// Kubernetes API server (Bearer), accepting only the expected token; it logs `path status authorization`.
private enum FakeServer {
    static let script = #"""
        import base64, http.server, json, ssl, sys
        log = sys.argv[1]
        with open(sys.argv[2]) as file:
            expected = file.read()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                auth = self.headers.get('Authorization') or '-'
                path = self.path.split('?')[0]
                if path.startswith('/repo.git/'):
                    password = None
                    if auth.startswith('Basic '):
                        password = base64.b64decode(auth[6:]).decode().partition(':')[2]
                    if password != expected:
                        self.reply(path, auth, 401, b'', 'text/plain', [('WWW-Authenticate', 'Basic realm="fake"')])
                    elif path.endswith('/info/refs'):
                        refs = b'0123456789012345678901234567890123456789\trefs/heads/main\n'
                        self.reply(path, auth, 200, refs, 'text/plain')
                    else:
                        self.reply(path, auth, 200, b'ref: refs/heads/main\n', 'text/plain')
                elif auth == 'Bearer ' + expected:
                    body = {'kind': 'PodList', 'apiVersion': 'v1', 'metadata': {}, 'items': []}
                    self.reply(path, auth, 200, json.dumps(body).encode(), 'application/json')
                else:
                    self.reply(path, auth, 401, b'{}', 'application/json')

            def reply(self, path, auth, status, body, kind, extra=()):
                with open(log, 'a') as f:
                    f.write('%s %d %s\n' % (path, status, auth))
                self.send_response(status)
                self.send_header('Content-Type', kind)
                self.send_header('Content-Length', str(len(body)))
                for name, value in extra:
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        server = http.server.HTTPServer(('127.0.0.1', 0), Handler)
        if len(sys.argv) > 4:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(sys.argv[3], sys.argv[4])
            server.socket = context.wrap_socket(server.socket, server_side=True)
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """#

    /// Starts the server (TLS with `tls`'s certificate and key), runs `body` with its port, stops it.
    static func with(
        sandbox: Sandbox, expected: String, log: String, tls: (certificate: String, key: String)?,
        _ body: (Int) async throws -> Void
    ) async throws {
        let python = try #require(Tool.find("python3"))
        let script = try sandbox.write("fake-server.py", Self.script)
        // The expected token from a 0600 file: never in the server's argv.
        let expectedFile = try sandbox.writeSecret("fake-server.expected", expected)
        let arguments = [script, log, expectedFile] + (tls.map { [$0.certificate, $0.key] } ?? [])
        try await ChildProcess.with(executable: python, arguments, environment: sandbox.environment()) { server in
            #expect(await eventually(timeout: .seconds(30)) { !server.stdoutLines.isEmpty }, "\(server.stderrText)")
            let port = try #require(server.stdoutLines.first.flatMap { Int($0) })
            try await body(port)
        }
    }
}
