import Foundation
import OAuthTopTestKit
import Testing

/// Drives the real `oauthtop demo` dashboard in a private tmux server, as a user would: the seven
/// panels appear, `r` produces a refresh event, `Enter` opens the provider detail view, `c` the
/// consumers with the demo's exec'd task, `?` shows the help, a resize to 80x24 re-lays out the
/// screen, and `q` exits 0 with the terminal restored.
@Suite(.serialized, .tags(.slow, .tmux)) struct DashboardTmuxTests {
    static func oauthtop() throws -> URL {
        let me = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let binary = URL(fileURLWithPath: me).deletingLastPathComponent().appendingPathComponent("oauthtop")
        try #require(
            FileManager.default.isExecutableFile(atPath: binary.path),
            "oauthtop is not built beside the test bundle: run swift build --build-tests"
        )
        return binary
    }

    static let panelTitles = [
        "Token refresh success rate", "Token lifetime", "Refresh latency p99", "Fallback usage", "Circuit breaker",
        "Refresh conflicts", "API calls through the proxies",
    ]

    @Test("the demo dashboard: seven panels, manual refresh, help, resize, quit")
    func dashboard() async throws {
        let tmux = try #require(TmuxServer.locate(), "tmux is not installed (scripts/test installs it)")
        let binary = try Self.oauthtop()
        let server = try TmuxServer(executable: tmux)
        defer { server.stop() }
        let script = #""$0" demo --listen 127.0.0.1:0; echo "oauthtop exit status: $?""#
        try server.run([
            "new-session", "-d", "-s", "dash", "-x", "120", "-y", "40", "/bin/sh", "-c", script, binary.path,
        ])
        let pane = "dash"

        let first = try await server.waitFor(
            "the seven panels", timeout: .seconds(60), read: { try server.capture(target: pane) }
        ) { screen in
            // The `demo` provider's first refresh has ended (the `reports` provider's comes sooner), so `r`
            // starts a round of its own instead of joining that one.
            Self.panelTitles.allSatisfy { screen.contains($0) } && screen.contains("demo     refresh_succeeded")
        }
        #expect(first.contains("oauthtop"))
        #expect(first.contains("?") && first.contains("help") && first.contains("quit"), "the footer shows the keys")
        #expect(!first.contains("eyJ"), "no token on screen")

        try server.run(["send-keys", "-t", pane, "r"])
        _ = try await server.waitFor(
            "the manual refresh in the events log", read: { try server.capture(target: pane) }
        ) {
            $0.contains("reason=manual")
        }

        // Both demo providers are in the header; Enter opens the selected one's detail view.
        #expect(first.contains("demo reports"), "the header lists both demo providers")
        try server.run(["send-keys", "-t", pane, "Enter"])
        let detail = try await server.waitFor("the detail view", read: { try server.capture(target: pane) }) {
            $0.contains("Provider demo") && $0.contains("fingerprint sha256:") && $0.contains("Endpoints")
        }
        for text in ["issued", "advisory", "mandatory", "expires", "Breaker", "Fallback", "emergency_key", "Last error"] {
            #expect(detail.contains(text), "the detail view shows \(text)")
        }
        #expect(!detail.contains("eyJ"), "no token on screen")
        // Down shows the next provider, whose token the exec'd task holds.
        try server.run(["send-keys", "-t", pane, "Down"])
        _ = try await server.waitFor("the reports detail with its exec'd task", read: {
            try server.capture(target: pane)
        }) {
            $0.contains("Provider reports") && $0.contains("demo-task.sh") && $0.contains("pid ")
        }
        try server.run(["send-keys", "-t", pane, "c"])
        let consumers = try await server.waitFor("the consumers view", read: { try server.capture(target: pane) }) {
            $0.contains("Consumers: 1 exec") && $0.contains("reports") && $0.contains("success")
        }
        #expect(consumers.contains("demo-task.sh"))
        try server.run(["send-keys", "-t", pane, "Escape"])
        _ = try await server.waitFor("the views to close", read: { try server.capture(target: pane) }) {
            !$0.contains("Consumers: ") && $0.contains("Recent events")
        }
        try server.run(["send-keys", "-t", pane, "Up"])

        try server.run(["send-keys", "-t", pane, "?"])
        let help = try await server.waitFor("the help overlay", read: { try server.capture(target: pane) }) {
            $0.contains("Help")
        }
        #expect(help.contains("refresh the selected provider"))
        try server.run(["send-keys", "-t", pane, "Escape"])
        _ = try await server.waitFor("the help to close", read: { try server.capture(target: pane) }) {
            !$0.contains("Help: keys")
        }

        try server.run(["resize-window", "-t", pane, "-x", "80", "-y", "24"])
        let small = try await server.waitFor("the 80x24 layout", read: { try server.capture(target: pane) }) { screen in
            let lines = screen.split(separator: "\n", omittingEmptySubsequences: false)
            return lines.allSatisfy { $0.count <= 80 } && screen.contains("Refresh conflicts")
                && screen.contains("Circuit breaker") && screen.contains("API calls")
        }
        #expect(small.contains("Token lifetime"))
        try server.run(["send-keys", "-t", pane, "Enter"])
        _ = try await server.waitFor("the detail view at 80x24", read: { try server.capture(target: pane) }) { screen in
            let lines = screen.split(separator: "\n", omittingEmptySubsequences: false)
            return lines.allSatisfy { $0.count <= 80 } && screen.contains("Provider demo")
                && screen.contains("fingerprint") && screen.contains("Endpoints")
        }
        try server.run(["send-keys", "-t", pane, "Escape"])
        _ = try await server.waitFor("the detail view to close", read: { try server.capture(target: pane) }) {
            !$0.contains("Provider demo") && $0.contains("Circuit breaker")
        }

        try server.run(["send-keys", "-t", pane, "q"])
        let after = try await server.waitFor("oauthtop to exit", timeout: .seconds(30), read: {
            try server.capture(target: pane, history: true)
        }) { $0.contains("oauthtop exit status: ") }
        #expect(after.contains("oauthtop exit status: 0"))
        #expect(try server.format("#{alternate_on}", target: pane) == "0", "the normal screen is back")
        let visible = try server.capture(target: pane)
        #expect(!visible.contains("Circuit breaker"), "the dashboard is gone from the restored screen")
    }
}
