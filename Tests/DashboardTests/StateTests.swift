import OAuthTopTestKit
import Testing

@testable import Dashboard

@Suite("Dashboard state and keys")
struct StateTests {
    static func state() -> DashboardState {
        var state = DashboardState()
        _ = state.present(DashboardFixtures.sample(columns: 80, rows: 24))
        return state
    }

    @Test("r refreshes the selected provider; arrows move the selection and wrap")
    func refreshSelected() {
        var state = Self.state()
        #expect(state.handle(.character("r")) == [.refreshProvider("github")])
        #expect(state.handle(.down).isEmpty)
        #expect(state.handle(.character("r")) == [.refreshProvider("google")])
        _ = state.handle(.up)
        _ = state.handle(.up)
        #expect(state.selectedProvider == 2)
    }

    @Test("R asks first: y or Enter confirms, n or Esc cancels")
    func refreshAll() {
        var state = Self.state()
        #expect(state.handle(.character("R")).isEmpty)
        #expect(state.confirmingRefreshAll)
        #expect(state.handle(.character("r")).isEmpty)
        #expect(state.handle(.character("y")) == [.refreshAll])
        #expect(!state.confirmingRefreshAll)
        _ = state.handle(.character("R"))
        #expect(state.handle(.escape).isEmpty)
        #expect(!state.confirmingRefreshAll)
        _ = state.handle(.character("R"))
        #expect(state.handle(.enter) == [.refreshAll])
    }

    @Test("tab and arrows select panels; +/- step through ranges and stop at the ends")
    func panelsAndRanges() {
        var state = Self.state()
        _ = state.handle(.tab)
        #expect(state.selectedPanel == 1)
        _ = state.handle(.backTab)
        _ = state.handle(.left)
        #expect(state.selectedPanel == 6, "the default dashboard's seven panels: the left of the first is the last")
        #expect(state.range == .fiveMinutes)
        for _ in 0..<5 { _ = state.handle(.character("+")) }
        #expect(state.range == .oneHour)
        for _ in 0..<5 { _ = state.handle(.character("-")) }
        #expect(state.range == .oneMinute)
    }

    @Test("p freezes the display on the last snapshot; data presented meanwhile is not shown")
    func pause() {
        var state = Self.state()
        let first = DashboardFixtures.sample(columns: 80, rows: 24)
        _ = state.handle(.character("p"))
        #expect(state.paused)
        var later = first
        later.now += 5_000_000_000
        #expect(state.present(later).now == first.now)
        _ = state.handle(.character("p"))
        #expect(state.present(later).now == later.now)
    }

    @Test("help opens with ? or F1 and closes with Esc, ? or q; q and Ctrl-C quit")
    func helpAndQuit() {
        var state = Self.state()
        _ = state.handle(.f1)
        #expect(state.showingHelp)
        #expect(state.handle(.character("q")).isEmpty)
        #expect(!state.showingHelp)
        _ = state.handle(.character("?"))
        _ = state.handle(.escape)
        #expect(!state.showingHelp)
        #expect(state.handle(.character("q")) == [.quit])
        _ = state.handle(.character("?"))
        #expect(state.handle(.ctrlC) == [.quit])
    }

    @Test("a focuses the alerts list, arrows move through alerts, Esc goes back")
    func alertsFocus() {
        var state = Self.state()
        _ = state.handle(.character("a"))
        #expect(state.alertsFocused)
        _ = state.handle(.down)
        #expect(state.selectedAlert == 1)
        #expect(state.selectedProvider == 0)
        _ = state.handle(.escape)
        #expect(!state.alertsFocused)
    }

    @Test("every bound key is unique and the footer is generated from the table")
    func keyTable() {
        let keys = KeyBinding.table.flatMap(\.keys)
        #expect(Set(keys).count == keys.count)
        let footer = KeyBinding.footerEntries(ascii: true)
        #expect(footer.map(\.keys).contains("+/-"))
        #expect(footer.contains { $0.keys == "q/C-c" } == false)
        #expect(footer.contains { $0.keys == "q" && $0.summary == "quit" })
        #expect(KeyBinding.action(for: .character("x")) == nil)
    }
}
