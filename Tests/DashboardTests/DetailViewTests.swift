import Foundation
import OAuthTopTestKit
import Testing

@testable import Dashboard

/// The provider detail view (`Enter`) and the consumers view (`c`): what they show, their keys, narrow
/// terminals and the ASCII fallback.
@Suite("Detail and consumers views")
struct DetailViewTests {
    /// The state after presenting the fixture and pressing `keys`.
    static func state(_ keys: [Key], columns: Int = 80, rows: Int = 24) -> DashboardState {
        var state = DashboardState()
        _ = state.present(DashboardFixtures.sample(columns: columns, rows: rows))
        for key in keys { _ = state.handle(key) }
        return state
    }

    static func frame(_ keys: [Key], columns: Int = 80, rows: Int = 24, options: RenderOptions = .default)
        -> CellGrid
    {
        RenderTests.frame(columns: columns, rows: rows, state: self.state(keys, columns: columns, rows: rows),
            options: options)
    }

    @Test("Enter opens the selected provider's detail; Esc, q and Enter close it; q does not quit there")
    func keys() {
        var state = Self.state([.down, .down])
        #expect(state.handle(.enter).isEmpty)
        #expect(state.showingDetail)
        #expect(state.handle(.character("q")).isEmpty, "q closes the view")
        #expect(!state.showingDetail)
        _ = state.handle(.enter)
        _ = state.handle(.escape)
        #expect(!state.showingDetail)
        _ = state.handle(.enter)
        _ = state.handle(.enter)
        #expect(!state.showingDetail)
        #expect(state.handle(.character("q")) == [.quit], "outside a view q quits")
    }

    @Test("in the detail view arrows change the provider and r refreshes the one shown")
    func arrowsAndRefresh() {
        var state = Self.state([.enter])
        #expect(state.handle(.character("r")) == [.refreshProvider("github")])
        _ = state.handle(.down)
        #expect(state.showingDetail)
        #expect(state.handle(.character("r")) == [.refreshProvider("google")])
        #expect(state.handle(.ctrlC) == [.quit])
    }

    @Test("c opens the consumers; Enter on a consumer opens its provider's detail")
    func consumersKeys() {
        var state = Self.state([.character("c")])
        #expect(state.showingConsumers)
        for _ in 0..<3 { _ = state.handle(.down) }
        #expect(state.selectedConsumer == 3)
        _ = state.handle(.enter)
        #expect(!state.showingConsumers && state.showingDetail)
        #expect(state.selectedProvider == 2, "the fourth consumer is okta's sink")
        _ = state.handle(.character("c"))
        #expect(state.showingConsumers && !state.showingDetail)
        _ = state.handle(.character("c"))
        #expect(!state.showingConsumers)
    }

    @Test("the detail view shows token times, windows, breaker history, fallback, endpoints, error, consumers")
    func detailContent() throws {
        let grid = Self.frame([.up, .enter], columns: 120, rows: 40)
        for text in [
            "Provider okta — mandatory — 3/3", "sha256:0badf00d", "issued", "advisory", "mandatory", "expires",
            "22:13:45", "in 25s", "22:12:38 closed → open", "emergency_key", "app_token, emergency_key",
            "https://okta-dr.example.com/oauth2/v1/token", "✓✓✗✗✗", "last http_503", "all endpoints failed",
            "Consumers (1)", "write_failed", "/etc/app/okta.token",
        ] {
            #expect(find(text, in: grid) != nil, "\(text)")
        }
        // The error is shown in full, wrapped over lines.
        #expect(find("Service Unavailable (http_503)", in: grid) != nil && find("connection", in: grid) != nil)
        let badge = try #require(find(" OPEN ", in: grid))
        #expect(grid[badge.x + 1, badge.y].style == Theme.default[.breakerOpen])
        #expect(!grid.lines.joined().contains("eyJ"))
        SnapshotFiles.expectMatches(grid, "detail-120x40")
    }

    @Test("with a fleet lock held, the detail view names the holder, its host and since when")
    func fleetLock() throws {
        var snapshot = DashboardFixtures.sample(columns: 120, rows: 40)
        var state = DashboardState()
        _ = state.present(snapshot)
        _ = state.handle(.enter)
        let index = try #require(snapshot.providers.firstIndex { $0.name == state.providerNames[state.selectedProvider] })
        snapshot.providers[index].fleetLock = FleetLock(
            instanceID: "web-7", host: "node-3", since: DashboardFixtures.now - 4_000_000_000
        )
        let grid = DashboardRenderer.render(
            snapshot: snapshot, state: state, theme: .default, size: TerminalSize(columns: 120, rows: 40),
            options: .default
        )
        #expect(find("fleet lock", in: grid) != nil)
        #expect(find("web-7 on node-3", in: grid) != nil)
        #expect(find("since 4s ago", in: grid) != nil)
        // A snapshot from a daemon whose JSON has no fleetLock still decodes.
        let data = try JSONEncoder().encode(snapshot.providers[index])
        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        object["fleetLock"] = nil
        let decoded = try JSONDecoder().decode(ProviderRow.self, from: try JSONSerialization.data(withJSONObject: object))
        #expect(decoded.fleetLock == nil)
    }

    @Test("the detail view fits 80x24 with header and footer kept")
    func detailNarrow() {
        let grid = Self.frame([.enter])
        SnapshotFiles.expectMatches(grid, "detail-80x24")
        #expect(grid.lines[0].hasPrefix(" oauthtop"))
        #expect(find("q quit", in: grid)?.y == 23)
        #expect(find("sha256:1a2b3c4d", in: grid) != nil)
        #expect(find("Consumers (2)", in: grid) != nil)
        #expect(find("python3 nightly_export.py", in: grid) != nil)
        #expect(grid.lines.allSatisfy { $0.count == 80 })
    }

    @Test("the consumers view lists every consumer with kind, provider, pid, age, last hand-out and outcome")
    func consumersView() {
        let grid = Self.frame([.character("c")])
        SnapshotFiles.expectMatches(grid, "consumers-80x24")
        #expect(find("Consumers: 1 exec, 2 sink, 1 socket", in: grid) != nil)
        for text in ["4242", "python3", "/run/user/1000/github", "5151", "14m50s ago", "write_failed"] {
            #expect(find(text, in: grid) != nil, "\(text)")
        }
    }

    @Test("no consumers: the view says where they come from")
    func noConsumers() {
        var snapshot = DashboardFixtures.sample(columns: 80, rows: 24)
        snapshot.consumers = []
        var state = DashboardState()
        _ = state.present(snapshot)
        _ = state.handle(.character("c"))
        let grid = DashboardRenderer.render(
            snapshot: snapshot, state: state, theme: .default, size: TerminalSize(columns: 80, rows: 24))
        #expect(find("no consumers yet", in: grid) != nil)
    }

    @Test("ASCII fallback: both views use only ASCII characters", arguments: [Key.enter, .character("c")])
    func ascii(key: Key) {
        for (columns, rows) in [(80, 24), (120, 40)] {
            let grid = Self.frame([.up, key], columns: columns, rows: rows, options: RenderOptions(ascii: true))
            let nonASCII = grid.cells.filter { !$0.character.isASCII }
            #expect(nonASCII.isEmpty, "non-ASCII: \(String(nonASCII.prefix(5).map(\.character)))")
        }
    }

    @Test("help lists the view keys, and opens over a view")
    func helpOverView() {
        let grid = Self.frame([.enter, .character("?")])
        #expect(find("Help: keys", in: grid) != nil)
        #expect(find("the selected provider's detail view", in: grid) != nil)
        #expect(find("Enter", in: grid) != nil)
    }
}
