import Foundation
import OAuthTopTestKit
import Testing

/// `oauthtop watch --prometheus` against a real Prometheus (Debian's) scraping two `oauthtop run --headless`
/// daemons, driven in tmux: the six panels drawn from the server's answers, a provider row per daemon, and `r`
/// answered with where to refresh (Prometheus is read-only).
@Suite(.serialized, .tags(.slow, .tmux, .realServer)) struct WatchPrometheusTests {
    @Test(
        "watch --prometheus: the fleet's panels and a provider row per instance",
        .enabled(if: PrometheusProcess.isInstalled, "needs /usr/bin/prometheus (Debian's prometheus)"),
        .timeLimit(.minutes(4))
    )
    func fleet() async throws {
        let tmux = try #require(TmuxServer.locate(), "tmux is not installed (scripts/test installs it)")
        let binary = try CLIBinary.located()
        try await PrometheusFleet.with { fleet in
            let server = try TmuxServer(executable: tmux)
            defer { server.stop() }
            let script = #""$0" watch --prometheus "$1" --scrape-interval 1s --range 1m; echo "oauthtop exit status: $?""#
            try server.run([
                "new-session", "-d", "-s", "fleet", "-x", "160", "-y", "45", "/bin/sh", "-c", script, binary,
                fleet.prometheusURL,
            ])
            let pane = "fleet"
            let screen = try await server.waitFor(
                "the fleet's panels with data from both daemons", timeout: .seconds(90),
                read: { try server.capture(target: pane) }
            ) { screen in
                WatchAttachTests.panelTitles.allSatisfy { screen.contains($0) }
                    && screen.contains(PrometheusFleet.providerName) && screen.contains("Prometheus")
                    && screen.contains("avg ")
            }
            #expect(!screen.contains("eyJ"), "no token on screen")

            // The provider list has one row per daemon: the detail views name each instance.
            try server.run(["send-keys", "-t", pane, "Enter"])
            for (index, instance) in fleet.instances.enumerated() {
                if index > 0 { try server.run(["send-keys", "-t", pane, "Down"]) }
                _ = try await server.waitFor("the detail of the provider on \(instance)", read: {
                    try server.capture(target: pane)
                }) {
                    $0.contains("\(PrometheusFleet.providerName) @ \(instance)")
                }
            }
            try server.run(["send-keys", "-t", pane, "Escape"])
            try server.run(["send-keys", "-t", pane, "r"])
            _ = try await server.waitFor("r answered: Prometheus is read-only", read: { try server.capture(target: pane) }) {
                $0.contains("read-only")
            }
            try server.run(["send-keys", "-t", pane, "q"])
            let after = try await server.waitFor("watch to exit", timeout: .seconds(30), read: {
                try server.capture(target: pane, history: true)
            }) { $0.contains("oauthtop exit status: ") }
            #expect(after.contains("oauthtop exit status: 0"))
        }
    }
}
