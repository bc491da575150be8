import Foundation
import OAuthTopTestKit
import Testing

/// Runs `terminal-demo` (the Terminal target on a real ncurses screen) inside a private tmux
/// server and reads the screen back with `capture-pane`.
@Suite(.serialized, .tags(.slow, .tmux)) struct TmuxTests {
    struct Variant: Sendable, CustomTestStringConvertible {
        var name: String
        /// Environment of the demo's pane.
        var environment: [String]
        var capability: String
        var colourEscape: String?

        var testDescription: String { self.name }

        static let all = [
            // The plain C locale: TerminalScreen must fall back to C.UTF-8 and still draw UTF-8.
            Variant(name: "C locale, 256 colours", environment: ["LC_ALL=C", "LANG=C"], capability: "indexed256",
                    colourEscape: "38;5;208"),
            Variant(name: "NO_COLOR", environment: ["LC_ALL=C.UTF-8", "NO_COLOR=1"], capability: "monochrome",
                    colourEscape: nil),
        ]
    }

    static func prerequisites() throws -> (tmux: TmuxServer, demo: URL) {
        let tmux = try #require(
            TmuxServer.locate(),
            "tmux is not installed: these tests drive ncurses through tmux (scripts/test installs it)"
        )
        let demo = try #require(
            TmuxServer.demoExecutable(),
            "terminal-demo is not built beside the test bundle: run swift build --build-tests (or set TERMINAL_DEMO)"
        )
        return (try TmuxServer(executable: tmux), demo)
    }

    /// Starts the demo in a pane, under `sh`, which prints the demo's exit status when it ends.
    ///
    /// tmux's own `pane_dead_status` is not reliable here: tmux 3.3 runs `utempter` when a pane's
    /// terminal closes, with SIGCHLD at its default action meanwhile, and loses the demo's exit if it
    /// lands in that window (seen about one run in three). `sh` waits for the demo itself.
    static func startDemo(_ tmux: TmuxServer, demo: URL, environment: [String], mode: String = "--tmux") throws {
        let flags = environment.flatMap { ["-e", $0] }
        // `trap : INT` keeps sh alive through Ctrl-C (which goes to the whole foreground process
        // group); a trap with a command is reset for the demo, which keeps SIGINT's default action.
        let script = #"trap : INT; "$0" "$1"; status=$?; echo "terminal-demo exit status: $status"; exit $status"#
        try tmux.run(
            ["new-session", "-d", "-s", "demo", "-x", "100", "-y", "30"] + flags
                + ["/bin/sh", "-c", script, demo.path, mode]
        )
    }

    /// The demo's pid, read from its screen.
    static func demoPid(_ tmux: TmuxServer, pane: String) async throws -> pid_t {
        let screen = try await tmux.waitFor("the first frame", read: { try tmux.capture(target: pane) }) {
            $0.contains("pid: ")
        }
        let pidText = try #require(
            screen.split(separator: "\n").first { $0.contains("pid: ") }?
                .split(separator: "pid: ").last?.prefix { $0.isNumber }
        )
        return try #require(pid_t(String(pidText)))
    }

    /// Waits for the pane to end and returns the demo's exit status as `sh` reported it.
    static func exitStatus(_ tmux: TmuxServer, pane: String) async throws -> String {
        let text = try await tmux.waitFor("the demo's exit status", read: {
            try tmux.capture(target: pane, history: true)
        }) { $0.contains("terminal-demo exit status: ") }
        let line = text.split(separator: "\n").first { $0.contains("terminal-demo exit status: ") } ?? ""
        _ = try await tmux.waitFor("the pane to end", read: { try tmux.format("#{pane_dead}", target: pane) }) {
            $0 == "1"
        }
        return String(line.split(separator: ": ").last ?? "")
    }

    @Test(arguments: Variant.all)
    func drawsReadsKeysFollowsResizeAndRestores(variant: Variant) async throws {
        let (tmux, demo) = try Self.prerequisites()
        defer { tmux.stop() }
        try Self.startDemo(tmux, demo: demo, environment: variant.environment)
        let pane = "demo"

        // The whole first frame: tmux may be captured while a frame is still arriving (its bottom not drawn yet).
        let first = try await tmux.waitFor("the first frame", read: { try tmux.capture(target: pane) }) { screen in
            let rows = screen.split(separator: "\n", omittingEmptySubsequences: false)
            return screen.contains("size: 100x30") && screen.contains("last key: none") && rows.count >= 30
                && rows[29].hasPrefix("└")
        }
        let lines = first.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first?.hasPrefix("┌─ terminal-demo ─") == true, "top border, UTF-8:\n\(first)")
        #expect(lines.first?.hasSuffix("─┐") == true)
        #expect(lines.first?.count == 100)
        #expect(lines.count >= 30 && lines[29].hasPrefix("└") && lines[29].hasSuffix("┘"), "\(first)")
        #expect(!first.contains("lqq"), "ACS fallback instead of UTF-8:\n\(first)")
        #expect(first.contains("wide: 幅 ok"))
        #expect(first.contains("colours (\(variant.capability))"))

        let coloured = try tmux.capture(target: pane, escapes: true)
        if let escape = variant.colourEscape {
            #expect(coloured.contains(escape), "expected colour escape \(escape)")
        } else {
            #expect(!coloured.contains("38;5;"), "NO_COLOR but colours drawn")
        }

        let keys: [(send: [String], shown: String)] = [
            (["x"], "char x"), (["Up"], "up"), (["Left"], "left"), (["BTab"], "back-tab"), (["F1"], "f1"),
            (["Tab"], "tab"), (["Enter"], "enter"), (["-l", "幅"], "char 幅"), (["Escape"], "escape"),
            (["Down"], "down"),
        ]
        for key in keys {
            try tmux.run(["send-keys", "-t", pane] + key.send)
            _ = try await tmux.waitFor("key \(key.send) shown as \(key.shown)", read: {
                try tmux.capture(target: pane)
            }) { $0.contains("last key: \(key.shown) ") }
        }

        try tmux.run(["resize-window", "-t", pane, "-x", "80", "-y", "24"])
        // The whole resized frame, as for the first one.
        let resized = try await tmux.waitFor("the resized frame", read: { try tmux.capture(target: pane) }) { screen in
            let rows = screen.split(separator: "\n", omittingEmptySubsequences: false)
            return screen.contains("size: 80x24") && rows.count >= 24 && rows[23].hasPrefix("└")
        }
        let resizedLines = resized.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(resizedLines.first?.count == 80 && resizedLines.first?.hasSuffix("─┐") == true, "\(resized)")
        #expect(resizedLines.count >= 24 && resizedLines[23].hasPrefix("└") && resizedLines[23].hasSuffix("┘"))
        #expect(resized.contains("last key: resize"))

        try tmux.run(["send-keys", "-t", pane, "q"])
        #expect(try await Self.exitStatus(tmux, pane: pane) == "0")
        let after = try tmux.capture(target: pane, history: true)
        #expect(after.contains("terminal-demo: screen restored, last key resize"), "\(after)")
        #expect(!after.contains("size: 80x24") && !after.contains("┌"), "dashboard left on screen:\n\(after)")
        #expect(try tmux.format("#{alternate_on}", target: pane) == "0", "still on the alternate screen")
    }

    @Test func sigtermRestoresTheTerminalBeforeTheProcessEnds() async throws {
        let (tmux, demo) = try Self.prerequisites()
        defer { tmux.stop() }
        try Self.startDemo(tmux, demo: demo, environment: ["LC_ALL=C.UTF-8"])
        let pane = "demo"

        let pid = try await Self.demoPid(tmux, pane: pane)
        #expect(try tmux.format("#{alternate_on}", target: pane) == "1")
        #expect(kill(pid, SIGTERM) == 0)

        // 143 = 128 + SIGTERM: the handler restored the terminal, then the default action ended it.
        #expect(try await Self.exitStatus(tmux, pane: pane) == "143")
        #expect(try tmux.format("#{alternate_on}", target: pane) == "0", "SIGTERM left the alternate screen on")
        let after = try tmux.capture(target: pane, history: true)
        #expect(!after.contains("size: 100x30"), "dashboard left on screen:\n\(after)")
        #expect(!after.contains("screen restored"), "SIGTERM took the normal quit path")
    }

    /// The normal path in oauthtop: the signal reaches the ServiceGroup, which shuts down
    /// gracefully; the service ends its loop and calls `stop()`; the process exits 0.
    @Test(arguments: ["SIGTERM", "SIGHUP", "Ctrl-C"])
    func underAServiceGroupASignalShutsDownGracefully(signal: String) async throws {
        let (tmux, demo) = try Self.prerequisites()
        defer { tmux.stop() }
        try Self.startDemo(tmux, demo: demo, environment: ["LC_ALL=C.UTF-8"], mode: "--service-group")
        let pane = "demo"
        let pid = try await Self.demoPid(tmux, pane: pane)
        try tmux.run(["send-keys", "-t", pane, "x"])
        _ = try await tmux.waitFor("key x", read: { try tmux.capture(target: pane) }) {
            $0.contains("last key: char x ")
        }

        if signal == "SIGTERM" || signal == "SIGHUP" {
            #expect(kill(pid, signal == "SIGTERM" ? SIGTERM : SIGHUP) == 0)
        } else {
            try tmux.run(["send-keys", "-t", pane, "C-c"])
        }
        #expect(try await Self.exitStatus(tmux, pane: pane) == "0")
        let after = try tmux.capture(target: pane, history: true)
        #expect(after.contains("terminal-demo: graceful shutdown, screen restored, last key char x"), "\(after)")
        #expect(!after.contains("size: 100x30"), "dashboard left on screen:\n\(after)")
        #expect(try tmux.format("#{alternate_on}", target: pane) == "0")
    }
}
