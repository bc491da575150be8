import Foundation
import Notifiers
import OAuthTopTestKit
import Testing

@Suite("Command notifier")
struct CommandNotifierTests {
    func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("oauthtop-\(UUID().uuidString)-\(name)").path
    }

    @Test("the alert arrives as JSON on the program's standard input")
    func writesStdin() async throws {
        let output = self.temporaryPath("alert.json")
        defer { try? FileManager.default.removeItem(atPath: output) }
        let notifier = CommandNotifier(name: "script", argv: ["/bin/sh", "-c", "cat > \"$1\"", "sh", output])
        try await notifier.deliver([breakerAlert()])
        let text = try String(contentsOfFile: output, encoding: .utf8)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["status"] as? String == "firing")
        #expect(object["fingerprint"] as? String == "2d87f595c53a2d9f")
        #expect((object["labels"] as? [String: String])?["alertname"] == "oauth_circuit_breaker_open")
        #expect(text.hasSuffix("}\n"))
    }

    @Test("a command that runs longer than its timeout is killed and the attempt fails")
    func timeoutKills() async throws {
        let pidFile = self.temporaryPath("pid")
        defer { try? FileManager.default.removeItem(atPath: pidFile) }
        let notifier = CommandNotifier(
            name: "slow", argv: ["/bin/sh", "-c", "echo $$ > \"$1\"; exec sleep 30", "sh", pidFile],
            timeout: .milliseconds(300)
        )
        let error = try await #require(throws: NotifierError.self) {
            try await notifier.deliver([breakerAlert()])
        }
        #expect(error.shortCode == "command_timeout")
        #expect(error.isRetryable)
        let pidText = try String(contentsOfFile: pidFile, encoding: .utf8)
        let pid = try #require(Int32(pidText.trimmingCharacters(in: .whitespacesAndNewlines)))
        // The process is gone (killed and reaped), long before its `sleep 30` would have ended: signal 0
        // finds no such process.
        let gone = await eventually { kill(pid, 0) != 0 }
        #expect(gone)
    }

    @Test(
        "a non-zero exit, a missing program or an empty command fails",
        arguments: [
            (["/bin/sh", "-c", "exit 3"], "command_failed", "exited with status 3"),
            (["/nonexistent/on-alert"], "command_launch", "cannot start command /nonexistent/on-alert"),
            ([], "command_launch", "the command is empty"),
        ]
    )
    func failures(argv: [String], code: String, message: String) async throws {
        let notifier = CommandNotifier(name: "script", argv: argv)
        let error = try await #require(throws: NotifierError.self) {
            try await notifier.deliver([breakerAlert()])
        }
        #expect(error.shortCode == code)
        #expect(error.description.contains(message))
        #expect(error.description.hasPrefix("notifier 'script': "))
    }

    @Test("a program that exits without reading its input does not kill oauthtop: the delivery succeeds")
    func programIgnoresInput() async throws {
        // Far more than a pipe holds (64 KiB), so the write surely meets the closed pipe (EPIPE, and SIGPIPE
        // unless it is ignored: that signal would end this test process).
        let batch = (0..<2000).map { _ in breakerAlert() }
        let notifier = CommandNotifier(name: "script", argv: ["/bin/true"])
        await #expect(throws: Never.self) {
            try await notifier.deliver(batch)
        }
        // The exit status decides, not the unread input: a program that fails still fails.
        let failing = CommandNotifier(name: "script", argv: ["/bin/false"])
        let error = try await #require(throws: NotifierError.self) {
            try await failing.deliver(batch)
        }
        #expect(error.shortCode == "command_failed")
    }
}
