import Cells
import Terminal
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct TerminalScreenTests {
    @Test(.enabled(if: !TerminalScreen.isTerminal, "needs a test run without a TTY"))
    func startWithoutATerminalThrowsAndLeavesTheScreenUsable() async throws {
        let screen = TerminalScreen()
        await #expect(throws: TerminalScreenError.notATerminal) { try await screen.start() }
        // Nothing was started: the other calls are harmless no-ops.
        await screen.draw(CellGrid(width: 2, height: 1))
        #expect(await screen.readKey(timeout: .zero) == nil)
        #expect(await screen.size == (0, 0))
        await screen.stop()
    }

    @Test func errorMessagesSayWhatToDo() {
        #expect(TerminalScreenError.notATerminal.message.contains("--headless"))
        #expect(TerminalScreenError.terminalUnavailable(term: "vt999").message.contains("TERM=vt999"))
        let sameCode = TerminalScreenError.terminalUnavailable(term: "a")
        #expect(sameCode == TerminalScreenError.terminalUnavailable(term: "b"))
    }

    @Test func serviceGroupPresetLeavesTermIntAndHupToTheGroupUnlessUnhandled() {
        let preset = TerminalRestoreSignals.alongsideServiceGroup
        #expect(!preset.always.contains(SIGTERM) && !preset.always.contains(SIGINT) && !preset.always.contains(SIGHUP))
        #expect(preset.whenUnhandled == [SIGTERM, SIGINT, SIGHUP])
        #expect(preset.always.isSuperset(of: [SIGQUIT, SIGSEGV, SIGABRT, SIGILL, SIGTRAP]))
        #expect(TerminalRestoreSignals.standalone.always.isSuperset(of: [SIGTERM, SIGINT, SIGHUP, SIGQUIT]))
        #expect(TerminalRestoreSignals(always: [SIGHUP], whenUnhandled: [SIGHUP, SIGINT]).whenUnhandled == [SIGINT])
        #expect(TerminalOptions().restoreSignals == .alongsideServiceGroup)
    }
}
