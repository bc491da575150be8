import Foundation
import OAuthTopTestKit
import Testing

/// `oauthtop watch` attached to a running `oauthtop run --headless` over its token socket, driven in tmux as
/// an engineer would: the daemon's provider, panels and events appear, `r` refreshes in the daemon (whose
/// event stream shows the manual refresh), `Enter` shows the daemon's provider detail and `c` its consumers,
/// and no second token manager starts.
@Suite(.serialized, .tags(.slow, .tmux)) struct WatchAttachTests {
    static let panelTitles = [
        "Token refresh success rate", "Token lifetime", "Refresh latency p99", "Fallback usage", "Circuit breaker",
        "Refresh conflicts",
    ]

    @Test("watch attaches to the daemon: its provider, panels and events; r refreshes in the daemon", .timeLimit(.minutes(3)))
    func attached() async throws {
        let tmux = try #require(TmuxServer.locate(), "tmux is not installed (scripts/test installs it)")
        let binary = try CLIBinary.located()
        try await InProcessIdentityProvider.with { idp in
            try await Sandbox.with { sandbox in
                let socket = sandbox.path("run/oauthtop.sock")
                let config = try sandbox.write(
                    "oauthtop.yaml",
                    "state_dir: '\(sandbox.path("state"))'\nsocket: {path: '\(socket)'}\n" + idp.providersYAML
                )
                let arguments = ["run", "--headless", "--config", config, "--listen", "127.0.0.1:0"]
                try await ChildProcess.with(arguments, environment: sandbox.environment(idp.environment)) { daemon in
                    _ = try await daemon.waitForEvent("socket_listening", timeout: .seconds(60))
                    _ = try await daemon.waitForEvent("refresh_succeeded", timeout: .seconds(60))
                    try await self.drive(tmux: tmux, binary: binary, socket: socket, idp: idp, daemon: daemon)
                    daemon.terminate()
                    #expect(try await daemon.waitForExit(timeout: .seconds(60)) == 0)
                }
            }
        }
    }

    private func drive(
        tmux: URL, binary: String, socket: String, idp: InProcessIdentityProvider, daemon: ChildProcess
    ) async throws {
        let server = try TmuxServer(executable: tmux)
        defer { server.stop() }
        let script = #""$0" watch --socket "$1"; echo "oauthtop exit status: $?""#
        try server.run([
            "new-session", "-d", "-s", "watch", "-x", "140", "-y", "45", "/bin/sh", "-c", script, binary, socket,
        ])
        let pane = "watch"
        let requestsBefore = idp.provider.statistics().total.requests
        let first = try await server.waitFor(
            "the daemon's dashboard", timeout: .seconds(60), read: { try server.capture(target: pane) }
        ) { screen in
            Self.panelTitles.allSatisfy { screen.contains($0) } && screen.contains(InProcessIdentityProvider.providerName)
                && screen.contains("refresh_succeeded")
        }
        #expect(first.contains("attached to"), "the header says where the data comes from")
        #expect(!first.contains("eyJ"), "no token on screen")
        // A refused query shows as "the daemon answered STATUS: ERROR" in its panel (a bare "404" also matches
        // figures such as a 404 ms latency or 1404 requests).
        #expect(
            !first.contains("not_found") && !first.contains("daemon answered"), "every panel query was answered:\n\(first)"
        )
        #expect(idp.provider.statistics().total.requests == requestsBefore, "watch started no token manager")

        try server.run(["send-keys", "-t", pane, "r"])
        _ = try await server.waitFor("the daemon's manual refresh on screen", read: { try server.capture(target: pane) }) {
            $0.contains("reason=manual")
        }
        let manual = try await daemon.waitForEvent("refresh_started", timeout: .seconds(30), where: {
            $0.string("reason") == "manual"
        })
        #expect(manual.string("provider") == InProcessIdentityProvider.providerName)
        #expect(
            try daemon.events().filter { $0.event == "refresh_succeeded" }.count == 2,
            "the daemon's first refresh and the manual one"
        )

        // The detail view and the consumers come from the daemon too.
        try server.run(["send-keys", "-t", pane, "Enter"])
        let detail = try await server.waitFor("the daemon's provider detail", read: { try server.capture(target: pane) }) {
            $0.contains("Provider \(InProcessIdentityProvider.providerName)") && $0.contains("fingerprint sha256:")
                && $0.contains("Endpoints")
        }
        #expect(!detail.contains("eyJ"), "no token on screen")
        try server.run(["send-keys", "-t", pane, "Escape"])
        try server.run(["send-keys", "-t", pane, "c"])
        _ = try await server.waitFor("the daemon's consumers: this dashboard is a socket client", read: {
            try server.capture(target: pane)
        }) {
            $0.contains("Consumers: ") && $0.contains("socket")
        }
        try server.run(["send-keys", "-t", pane, "Escape"])
        try server.run(["send-keys", "-t", pane, "q"])
        let after = try await server.waitFor("watch to exit", timeout: .seconds(30), read: {
            try server.capture(target: pane, history: true)
        }) { $0.contains("oauthtop exit status: ") }
        #expect(after.contains("oauthtop exit status: 0"))
        #expect(daemon.isRunning, "quitting the dashboard leaves the daemon running")
    }
}
