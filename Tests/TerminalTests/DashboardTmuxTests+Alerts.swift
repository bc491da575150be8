import Foundation
import OAuthTopTestKit
import Testing

/// The dashboard's alerts list, driven through tmux: `oauthtop demo --faults FILE` with a full outage from
/// the start opens the circuit breaker within seconds, the list shows `oauth_circuit_breaker_open` as
/// FIRING, and the row goes away once the outage is over and the breaker has closed.
///
/// Part of the serialized `DashboardTmuxTests` suite, so `swift test --filter DashboardTmuxTests` runs it.
extension DashboardTmuxTests {
    /// Both endpoints refuse connections for the first 12 s: the breaker opens at once, a probe at ~8 s
    /// fails, the one at ~16 s succeeds.
    static let outageFaults = """
        faults:
          - kind: outage
            at: 0s
            until: 12s

        """

    /// 200 columns: the alerts list takes 2/5 of the width, so its name column gets its full 22 cells.
    static let alertsScreenWidth = 200

    /// The alerts list's inner lines: below the `Alerts: ` title in the box's top border, within the box's
    /// width, up to its bottom border.
    static func alertsList(_ screen: String) -> [String] {
        let lines = screen.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let title = lines.firstIndex(where: { $0.contains("Alerts: ") }) else { return [] }
        let boxWidth = Self.alertsScreenWidth * 2 / 5
        var inner: [String] = []
        for line in lines.dropFirst(title + 1) {
            let part = String(line.prefix(boxWidth))
            if part.hasPrefix("└") || part.hasPrefix("+") { break }
            inner.append(part)
        }
        return inner
    }

    /// The breaker's row. The name column fits names up to two fifths of the box, so in a narrow box the
    /// 26-character name ends in `…`; its first 22 characters are always shown, and the summary names it.
    static func breakerRow(_ screen: String) -> String? {
        self.alertsList(screen).first { $0.contains("oauth_circuit_breaker_") }
    }

    @Test("an outage: the breaker's alert is listed as FIRING, then leaves the list after recovery",
        .timeLimit(.minutes(2)))
    func breakerAlertFiresAndClears() async throws {
        let tmux = try #require(TmuxServer.locate(), "tmux is not installed (scripts/test installs it)")
        let binary = try Self.oauthtop()
        let server = try TmuxServer(executable: tmux)
        defer { server.stop() }
        let faults = server.directory.appendingPathComponent("outage.yaml")
        try Self.outageFaults.write(to: faults, atomically: true, encoding: .utf8)
        let script = #""$0" demo --faults "$1" --listen 127.0.0.1:0; echo "oauthtop exit status: $?""#
        try server.run([
            "new-session", "-d", "-s", "alerts", "-x", "\(Self.alertsScreenWidth)", "-y", "50", "/bin/sh", "-c", script,
            binary.path, faults.path,
        ])
        let pane = "alerts"

        let firing = try await server.waitFor("the breaker alert FIRING", timeout: .seconds(20), read: {
            try server.capture(target: pane)
        }) { screen in
            Self.breakerRow(screen)?.contains("FIRING") == true
        }
        let row = try #require(Self.breakerRow(firing))
        #expect(row.contains("critical"), "row: \(row)")
        #expect(row.contains("circuit breaker open"), "the summary annotation, filled in: \(row)")
        #expect(firing.contains("Alerts: ") && !firing.contains("Alerts: 0 firing"), "title: \(firing)")

        // The outage ends at 12 s; the breaker's next probe succeeds and the next evaluation resolves the alert.
        let cleared = try await server.waitFor("the breaker alert to leave the list", timeout: .seconds(30), read: {
            try server.capture(target: pane)
        }) { screen in
            !Self.alertsList(screen).isEmpty && Self.breakerRow(screen) == nil
        }
        #expect(cleared.contains("Circuit breaker"), "the dashboard is still up")

        try server.run(["send-keys", "-t", pane, "q"])
        let after = try await server.waitFor("oauthtop to exit", timeout: .seconds(30), read: {
            try server.capture(target: pane, history: true)
        }) { $0.contains("oauthtop exit status: ") }
        #expect(after.contains("oauthtop exit status: 0"))
    }
}
