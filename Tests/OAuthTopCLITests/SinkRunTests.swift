import Foundation
import OAuthTopTestKit
import Testing

/// `oauthtop run --headless` writes the configured sinks with their mode, owner, group and format.
@Suite("oauthtop run: sinks")
struct SinkRunTests {
    @Test("sinks appear with the configured mode, owner and group, raw and JSON", .timeLimit(.minutes(3)))
    func sinksWritten() async throws {
        try await InProcessIdentityProvider.with { idp in
            try await Sandbox.with { sandbox in
                let raw = sandbox.path("sinks/raw.token")
                let json = sandbox.path("sinks/token.json")
                let socket = sandbox.path("run/oauthtop.sock")
                // Only root may give a file to another owner; as anyone else the sink keeps the daemon's.
                let owner = getuid() == 0 ? "\n        owner: nobody\n        group: 65534" : ""
                let config = try sandbox.write(
                    "oauthtop.yaml",
                    "state_dir: '\(sandbox.path("state"))'\nsocket: {path: '\(socket)'}\n" + idp.providersYAML + """
                        sinks:
                          - path: \(raw)
                            mode: "0640"\(owner)
                          - path: \(json)
                            format: json

                    """
                )
                let arguments = ["run", "--headless", "--config", config, "--listen", "127.0.0.1:0"]
                try await ChildProcess.with(arguments, environment: sandbox.environment(idp.environment)) { daemon in
                    let written = await eventually(timeout: .seconds(60)) {
                        FileManager.default.fileExists(atPath: raw) && FileManager.default.fileExists(atPath: json)
                    }
                    #expect(written, "stderr: \(daemon.stderrText)")
                    var info = stat()
                    stat(raw, &info)
                    #expect(info.st_mode & 0o777 == 0o640)
                    if getuid() == 0 {
                        #expect(info.st_uid == 65534)
                        #expect(info.st_gid == 65534)
                    }
                    let token = try String(contentsOfFile: raw, encoding: .utf8)
                    #expect(token.split(separator: ".").count == 3, "the raw sink holds the JWT alone")
                    let data = try Data(contentsOf: URL(fileURLWithPath: json))
                    let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
                    #expect(document["access_token"] as? String == token)
                    #expect(document["token_type"] as? String == "Bearer")
                    #expect((document["expires_in"] as? Int ?? 0) > 200)
                    #expect((document["expires_at"] as? String)?.hasSuffix("Z") == true)
                    stat(json, &info)
                    #expect(info.st_mode & 0o777 == 0o600)
                    // `oauthtop status` lists the sinks among the consumers, with their last write.
                    let status = try await ChildProcess.run(
                        ["status", "--json", "--socket", socket], environment: sandbox.environment()
                    )
                    let object = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
                    let consumers = object?["consumers"] as? [[String: Any]] ?? []
                    let sinks = consumers.filter { $0["kind"] as? String == "sink" }
                    #expect(Set(sinks.compactMap { $0["name"] as? String }) == [raw, json], "\(status.stdout)")
                    #expect(sinks.allSatisfy { $0["last_provider"] as? String == InProcessIdentityProvider.providerName })
                    daemon.terminate()
                    #expect(try await daemon.waitForExit(timeout: .seconds(60)) == 0)
                    #expect(!(daemon.stdoutText + daemon.stderrText).contains(token))
                    #expect(FileManager.default.fileExists(atPath: raw), "sinks stay when the daemon stops")
                }
            }
        }
    }
}
