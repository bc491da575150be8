import Foundation
import OAuthTopRuntime
import Testing

/// `oauthtop status` with a coordinated provider: the fleet lock's holder in the JSON and in the text.
@Suite("Status: the fleet lock")
struct StatusFleetLockTests {
    static func status(lock: SocketStatus.Provider.FleetLock?) -> SocketStatus {
        SocketStatus(
            daemon: .init(pid: 42, uid: 1000, startedAt: "2026-12-06T05:00:00Z", socket: "/run/oauthtop.sock"),
            providers: [
                .init(name: "github", phase: "advisory", refreshing: true, fleetLock: lock),
                .init(name: "okta", phase: "fresh"),
            ],
            alerts: [], consumers: []
        )
    }

    @Test("the holder, its host and since when: a fleet_lock object in the JSON, a FLEET LOCKS line in the text")
    func shown() throws {
        let status = Self.status(
            lock: .init(instanceID: "web-7", host: "node-3", since: "2026-12-06T05:01:02Z")
        )
        let json = String(decoding: try JSONEncoder().encode(status), as: UTF8.self)
        #expect(json.contains(#""fleet_lock":{"#) && json.contains(#""instance_id":"web-7""#))
        let decoded = try JSONDecoder().decode(SocketStatus.self, from: Data(json.utf8))
        #expect(decoded.providers[0].fleetLock?.host == "node-3")
        #expect(decoded.providers[1].fleetLock == nil)
        #expect(status.text.contains("FLEET LOCKS"))
        #expect(status.text.contains("github: web-7 on node-3 since 2026-12-06T05:01:02Z"))
    }

    @Test("no lock held (or no coordination): no fleet_lock key, no FLEET LOCKS section")
    func absent() throws {
        let status = Self.status(lock: nil)
        let json = String(decoding: try JSONEncoder().encode(status), as: UTF8.self)
        #expect(!json.contains("fleet_lock"))
        #expect(!status.text.contains("FLEET LOCKS"))
    }
}
