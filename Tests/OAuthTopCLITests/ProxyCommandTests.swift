import Foundation
import OAuthTopTestKit
import Testing

/// `oauthtop run` and `oauthtop exec` serve the configured API proxies.
@Suite("oauthtop run / exec: API proxies")
struct ProxyCommandTests {
    static func configuration(_ idp: InProcessIdentityProvider, sandbox: Sandbox) -> String {
        "state_dir: '\(sandbox.path("state"))'\nsocket: {path: '\(sandbox.path("run/oauthtop.sock"))'}\n"
            + idp.providersYAML + """
            proxies:
              - name: api
                listen: 127.0.0.1:0
                upstream: http://127.0.0.1:\(idp.endpoint.port)
                provider: \(InProcessIdentityProvider.providerName)
              - name: local-sock
                listen: \(sandbox.path("run/api.sock"))
                upstream: http://127.0.0.1:\(idp.endpoint.port)
                provider: \(InProcessIdentityProvider.providerName)

            """
    }

    @Test("oauthtop run serves each proxy, says where, and the demo's protected API accepts its calls", .timeLimit(.minutes(3)))
    func runServesProxies() async throws {
        // A reuse interval: on a loaded machine a token answer may arrive after the 5 s step and be lost.
        try await InProcessIdentityProvider.with(refreshTokenReuseInterval: .seconds(120)) { idp in
            try await Sandbox.with { sandbox in
                let config = try sandbox.write("oauthtop.yaml", Self.configuration(idp, sandbox: sandbox))
                let check = try await ChildProcess.run(["config", "check", config], environment: sandbox.environment(idp.environment))
                #expect(check.status == 0, "\(check.combined)")
                let arguments = ["run", "--headless", "--config", config, "--listen", "127.0.0.1:0"]
                try await ChildProcess.with(arguments, environment: sandbox.environment(idp.environment)) { daemon in
                    let tcp = try await daemon.waitForEvent("proxy_listening", timeout: .seconds(60)) {
                        $0.string("proxy") == "api"
                    }
                    let unix = try await daemon.waitForEvent("proxy_listening", timeout: .seconds(60)) {
                        $0.string("proxy") == "local-sock"
                    }
                    let url = try #require(tcp.string("url"))
                    let secretFile = try #require(tcp.string("secret_file"))
                    #expect(secretFile == sandbox.path("run/proxy-api.secret"), "beside the token socket")
                    var info = stat()
                    #expect(stat(secretFile, &info) == 0 && info.st_mode & 0o777 == 0o600)
                    let secret = try String(contentsOfFile: secretFile, encoding: .utf8)
                        .trimmingCharacters(in: .whitespacesAndNewlines)
                    // The secret through a 0600 header file, never in curl's argv.
                    let header = try sandbox.writeSecret("proxy-header", "Authorization: Bearer \(secret)\n")
                    let viaTCP = try await ChildProcess.run(
                        executable: "/usr/bin/curl", ["-s", "-H", "@" + header, url + "/api/resource"],
                        environment: sandbox.environment()
                    )
                    #expect(viaTCP.stdout.contains("\"sub\""), "\(viaTCP.combined)")
                    #expect(unix.string("url") == "unix:\(sandbox.path("run/api.sock"))")
                    let viaSocket = try await ChildProcess.run(
                        executable: "/usr/bin/curl",
                        ["-s", "--unix-socket", sandbox.path("run/api.sock"), "http://localhost/api/resource"],
                        environment: sandbox.environment()
                    )
                    #expect(viaSocket.stdout.contains("\"sub\""), "\(viaSocket.combined)")
                    #expect(idp.provider.statistics().resourceAccepted == 2)
                    daemon.terminate()
                    #expect(try await daemon.waitForExit(timeout: .seconds(60)) == 0)
                    #expect(!FileManager.default.fileExists(atPath: secretFile), "the secret file goes with the daemon")
                    #expect(!(daemon.stdoutText + daemon.stderrText).contains(secret))
                }
            }
        }
    }

    @Test("oauthtop exec exports the proxies' URLs and secret file, and the child's calls go through", .timeLimit(.minutes(3)))
    func execExportsProxies() async throws {
        // A reuse interval: on a loaded machine a token answer may arrive after the 5 s step and be lost.
        try await InProcessIdentityProvider.with(refreshTokenReuseInterval: .seconds(120)) { idp in
            try await Sandbox.with { sandbox in
                let config = try sandbox.write("oauthtop.yaml", Self.configuration(idp, sandbox: sandbox))
                // The secret reaches curl on its stdin (`-H @-`; printf is a builtin), never in an argv.
                let script = """
                    { printf 'Authorization: Bearer '; cat "$OAUTHTOP_PROXY_SECRET_FILE"; } | curl -s -H @- "$OAUTHTOP_PROXY_URL/api/resource"
                    echo
                    curl -s --unix-socket "${OAUTHTOP_PROXY_LOCAL_SOCK_URL#unix:}" http://localhost/api/resource
                    echo
                    echo "api=$OAUTHTOP_PROXY_API_URL secret=$OAUTHTOP_PROXY_API_SECRET_FILE"
                    """
                let result = try await ChildProcess.run(
                    ["exec", "--config", config, "--", "/bin/sh", "-c", script],
                    environment: sandbox.environment(idp.environment)
                )
                #expect(result.status == 0, "\(result.combined)")
                let lines = result.stdout.split(separator: "\n")
                #expect(lines.count >= 3, "\(result.combined)")
                #expect(lines.prefix(2).allSatisfy { $0.contains("\"sub\"") }, "\(result.combined)")
                #expect(lines.last?.hasPrefix("api=http://127.0.0.1:") == true)
                #expect(lines.last?.contains("secret=/") == true && lines.last?.contains("api.secret") == true)
                #expect(idp.provider.statistics().resourceAccepted == 2)
            }
        }
    }
}
