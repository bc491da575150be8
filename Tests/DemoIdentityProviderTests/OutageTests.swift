import AsyncHTTPClient
import DemoIdentityProvider
import OAuthTopTestKit
import Testing

@Suite("Outages refuse connections")
struct OutageTests {
    @Test("a scheduled outage refuses connections during its window and serves after it, on the same port")
    func scheduledOutage() async throws {
        // Seconds of outage from the start: a loaded machine can take more than a second to hand over the harness.
        let schedule = FaultSchedule(faults: [Fault(kind: .outage, end: .seconds(5), endpoints: ["secondary"])])
        try await withProvider(schedule: schedule) { harness in
            let port = harness.secondary.port
            let refused = await eventually { connectionRefused(port: port) }
            #expect(refused)
            if harness.provider.uptime() < .milliseconds(4800) {
                await #expect(throws: (any Error).self) {
                    _ = try await harness.clientCredentials(to: harness.secondary, timeout: .milliseconds(150))
                }
            }
            let primary = try await harness.clientCredentials(to: harness.primary)
            #expect(primary.status == 200)
            let served = await eventually(timeout: .seconds(30)) {
                (try? await harness.clientCredentials(to: harness.secondary).status) == 200
            }
            #expect(served)
            #expect(harness.provider.uptime() >= .seconds(5))
            let reopened = try harness.provider.endpoint(named: "secondary")
            #expect(reopened.port == port)
        }
    }

    @Test("an injected outage drops open keep-alive connections too, then the endpoint comes back")
    func injectedOutage() async throws {
        try await withProvider { harness in
            // Open a pooled keep-alive connection first.
            let warmUp = try await harness.clientCredentials()
            #expect(warmUp.status == 200)
            let now = harness.provider.uptime()
            // Twenty seconds, not one request's time: with the whole suite starting on 2 cores the checks
            // below took 20 s to get there once, after a 6 s window had closed again.
            harness.provider.inject(Fault(
                kind: .outage,
                start: now + .milliseconds(100),
                end: now + .seconds(20),
                endpoints: ["primary"]
            ))
            let refused = await eventually { connectionRefused(port: harness.primary.port) }
            #expect(refused)
            await #expect(throws: (any Error).self) {
                _ = try await harness.clientCredentials(timeout: .milliseconds(150))
            }
            let secondary = try await harness.clientCredentials(to: harness.secondary)
            #expect(secondary.status == 200)
            let served = await eventually(timeout: .seconds(60)) { (try? await harness.clientCredentials().status) == 200 }
            #expect(served)
            #expect(harness.provider.uptime() >= now + .seconds(20))
        }
    }

    @Test("a port already in use makes run() fail and waitUntilListening() throw")
    func portInUse() async throws {
        try await withProvider { harness in
            let taken = harness.primary.port
            var configuration = try testConfiguration()
            configuration.endpoints = [DemoEndpointSpec(name: "clash", port: taken)]
            let second = DemoIdentityProvider(
                configuration: configuration, logger: harness.logs.logger(label: "demo-idp-test")
            )
            await #expect(throws: DemoIdentityProviderError.bindFailed("")) {
                try await second.run()
            }
            await #expect(throws: DemoIdentityProviderError.stopped("")) {
                _ = try await second.waitUntilListening(timeout: .seconds(5))
            }
        }
    }
}
