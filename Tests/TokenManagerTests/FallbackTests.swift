import Clocks
import Foundation
import Logging
import MetricsTestKit
import OAuthTopTestKit
import Synchronization
import Testing

@testable import TokenManager

/// A transport with one script per host; a host with nothing (left) scripted refuses connections, except
/// 127.0.0.1, which goes to `passthrough` (a real transport, for the loopback fakes) when there is one.
final class RoutedTransport: TokenEndpointTransport {
    /// One request as sent (headers and body carry secrets: compare them, never print them).
    struct Sent: Sendable {
        var url: String
        var headers: [String: String]
        var body: String
    }

    private let scripts: Mutex<[String: [ScriptedTransport.Step]]>
    private let log = Mutex<[Sent]>([])
    private let passthrough: (any TokenEndpointTransport)?

    init(_ scripts: [String: [ScriptedTransport.Step]] = [:], passthrough: (any TokenEndpointTransport)? = nil) {
        self.scripts = Mutex(scripts)
        self.passthrough = passthrough
    }

    /// The URLs requested, in order.
    var sent: [String] { self.log.withLock { $0.map(\.url) } }

    /// The requests to `host`, in order.
    func requests(to host: String) -> [Sent] {
        self.log.withLock { $0.filter { URL(string: $0.url)?.host == host } }
    }

    func script(_ host: String, _ steps: [ScriptedTransport.Step]) {
        self.scripts.withLock { $0[host, default: []] += steps }
    }

    func send(_ request: TokenEndpointRequest, timeout: TimeoutStep) async throws(AttemptFailure)
        -> TokenEndpointResponse
    {
        var headers: [String: String] = [:]
        for header in request.headers { headers[header.name.lowercased()] = header.value }
        self.log.withLock {
            $0.append(Sent(url: request.url, headers: headers, body: String(decoding: request.body, as: UTF8.self)))
        }
        let host = URL(string: request.url)?.host ?? ""
        if host == "127.0.0.1", let passthrough = self.passthrough {
            return try await passthrough.send(request, timeout: timeout)
        }
        let step = self.scripts.withLock { scripts -> ScriptedTransport.Step? in
            guard var steps = scripts[host], !steps.isEmpty else { return nil }
            let step = steps.removeFirst()
            scripts[host] = steps
            return step
        }
        switch step {
        case .token(let value, let expiresIn, let refreshToken)?:
            let rotated = refreshToken.map { #","refresh_token":"\#($0)""# } ?? ""
            let json = #"{"access_token":"\#(value)","token_type":"Bearer","expires_in":\#(expiresIn)\#(rotated)}"#
            return TokenEndpointResponse(status: 200, headers: [("Content-Type", "application/json")], body: Array(json.utf8))
        case .status(let status, let body, let headers)?:
            return TokenEndpointResponse(status: status, headers: headers.map { (name: $0.0, value: $0.1) }, body: Array(body.utf8))
        case .fail(let kind)?:
            throw AttemptFailure(kind: kind, code: "scripted", detail: "scripted")
        case nil:
            throw AttemptFailure(kind: .connectionRefused, code: "connection_refused", detail: "nothing listening")
        }
    }

    func shutdown() async { await self.passthrough?.shutdown() }
}

@Suite("Fallback chain (routed transport, test clocks)")
struct FallbackTests {
    static let emergencyValue = "emergency-key-value-0123456789abcdef"

    static func provider(_ name: String, fallback: [FallbackCredential] = []) -> ProviderConfiguration {
        ProviderConfiguration(
            name: name, grant: .refreshToken, tokenEndpoints: ["http://\(name).test/token"], clientID: "client",
            clientSecret: Secret("client-secret-123"), refreshToken: Secret("refresh-\(name)"),
            retry: RetryPolicy(maxAttempts: 1), breaker: BreakerPolicy(failureThreshold: 2, coolDown: .seconds(30)),
            fallback: fallback
        )
    }

    static func emergency(maxDuration: Duration = .seconds(600), approvalFile: String? = nil) -> FallbackCredential {
        .emergencyKey(Secret(Self.emergencyValue), maxDuration: maxDuration, approvalFile: approvalFile)
    }

    static func manager(
        _ providers: [ProviderConfiguration],
        _ transport: RoutedTransport,
        clock: some Clock<Duration>,
        metrics: TestMetrics,
        events: EventRecorder
    ) -> OAuthTokenManager {
        let manager = OAuthTokenManager(
            providers: providers, transport: transport,
            clock: WallClock(clock, wallOriginNanos: 1_700_000_000_000_000_000),
            random: .fixed(0.5), metricsFactory: metrics, logger: Logger(label: "test")
        )
        manager.subscribe { events.record($0) }
        return manager
    }

    static func uses(_ metrics: TestMetrics, _ provider: String, _ method: String) -> Int64 {
        metrics.counterTotal(label: OAuthMetricNames.fallbackAuthUsed, dimensions: [("provider", provider), ("method", method)])
    }

    static let fallbackKinds: [TokenEvent.Kind] = [.fallbackEngaged, .fallbackEnded, .fallbackRefused, .emergencyKeyUsed]

    @Test("a healthy provider never consults its chain: OAuth tokens, no counts, no fallback events")
    func healthy() async throws {
        let transport = RoutedTransport(["p.test": [.token("t1", expiresIn: 100)]])
        let metrics = TestMetrics()
        let events = EventRecorder()
        let manager = Self.manager(
            [Self.provider("p", fallback: [.alternateProvider("q"), Self.emergency()]), Self.provider("q")],
            transport, clock: ImmediateClock(), metrics: metrics, events: events
        )
        let id = try #require(manager.provider(named: "p"))
        for _ in 0..<100 {
            let token = try await manager.token(for: id)
            #expect(token.value.revealed == "t1")
            #expect(!token.isFallback)
        }
        #expect(manager.cachedToken(for: id)?.fallback == nil)
        #expect(transport.sent == ["http://p.test/token"], "the alternate provider was never asked")
        #expect(Self.uses(metrics, "p", "alternate_provider") == 0)
        #expect(Self.uses(metrics, "p", "emergency_key") == 0)
        #expect(events.all.filter { Self.fallbackKinds.contains($0.kind) }.isEmpty)
    }

    @Test("entries are tried in order: the alternate provider first, then the emergency key")
    func chainOrder() async throws {
        let clock = ImmediateClock()
        let transport = RoutedTransport(["q.test": [.token("q1", expiresIn: 100)]])
        let metrics = TestMetrics()
        let events = EventRecorder()
        let manager = Self.manager(
            [Self.provider("p", fallback: [.alternateProvider("q"), Self.emergency()]), Self.provider("q")],
            transport, clock: clock, metrics: metrics, events: events
        )
        let viaAlternate = try await manager.token(for: "p")
        #expect(viaAlternate.value.revealed == "q1")
        #expect(viaAlternate.fallback == .alternateProvider)
        #expect(Self.uses(metrics, "p", "alternate_provider") == 1)

        // q's token expires and q fails too: the emergency key is next.
        try await clock.sleep(for: .seconds(101))
        let viaKey = try await manager.token(for: "p")
        #expect(viaKey.value.revealed == Self.emergencyValue)
        #expect(viaKey.fallback == .emergencyKey)
        #expect(Self.uses(metrics, "p", "emergency_key") == 1)

        let engaged = events.kinds(.fallbackEngaged)
        #expect(engaged.map { $0["method"] } == [.string("alternate_provider"), .string("emergency_key")])
        #expect(engaged.map(\.severity) == [.warning, .warning])
        #expect(engaged.last?["switched_from"] == .string("alternate_provider"))
        #expect(engaged.first?["alternate_provider"] == .string("q"))
        let used = try #require(events.kinds(.emergencyKeyUsed).first)
        #expect(used.severity == .critical)
        #expect(used["key_sha256"] == .string(Secret.fingerprint(of: Self.emergencyValue)))
        #expect(events.kinds(.fallbackRefused).map { $0["reason"] } == [.string("alternate_failed")])
        #expect(events.all.filter { $0.provider == "q" && Self.fallbackKinds.contains($0.kind) }.isEmpty)
    }

    @Test("the counter goes up once per hand-out, labelled with the entry's method", arguments: [
        FallbackCredential.alternateProvider("q"), FallbackTests.emergency(),
    ])
    func counterPerHandOut(entry: FallbackCredential) async throws {
        let transport = RoutedTransport(["q.test": [.token("q1", expiresIn: 1000)]])
        let metrics = TestMetrics()
        let manager = Self.manager(
            [Self.provider("p", fallback: [entry]), Self.provider("q")],
            transport, clock: ImmediateClock(), metrics: metrics, events: EventRecorder()
        )
        for _ in 0..<7 {
            #expect(try await manager.token(for: "p").fallback == entry.method)
        }
        #expect(Self.uses(metrics, "p", entry.method.rawValue) == 7)
        #expect(metrics.counterTotal(label: OAuthMetricNames.fallbackAuthUsed) == 7)
    }

    @Test("an emergency key is refused once its time limit since first use in the outage is over")
    func emergencyTimeLimit() async throws {
        let clock = ImmediateClock()
        let metrics = TestMetrics()
        let events = EventRecorder()
        let manager = Self.manager(
            [Self.provider("p", fallback: [Self.emergency(maxDuration: .seconds(60))])],
            RoutedTransport(), clock: clock, metrics: metrics, events: events
        )
        let first = try await manager.token(for: "p")
        #expect(first.value.revealed == Self.emergencyValue)
        let firstUse = first.expiresAt - 60_000_000_000
        try await clock.sleep(for: .seconds(59))
        #expect(try await manager.token(for: "p").expiresAt == first.expiresAt, "the limit counts from the first use")
        try await clock.sleep(for: .seconds(2))
        let error = await #expect(throws: TokenRefreshError.self) { try await manager.token(for: "p") }
        let message = try #require(error?.description)
        #expect(message.contains("time limit of 60s"), "\(message)")
        #expect(message.contains(Secret.fingerprint(of: Self.emergencyValue)))
        #expect(!message.contains(Self.emergencyValue), "the key never appears in an error")
        #expect(Self.uses(metrics, "p", "emergency_key") == 2)
        let refused = try #require(events.kinds(.fallbackRefused).first)
        #expect(refused["reason"] == .string("time_limit"))
        #expect(refused.timestamp - firstUse > 60_000_000_000)
        await #expect(throws: TokenRefreshError.self) { try await manager.token(for: "p") }
        #expect(events.kinds(.fallbackRefused).count == 1, "reported once per outage")
    }

    @Test("an emergency key with an approval file is usable only while the file exists")
    func approvalFile() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("oauthtop-approve-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let events = EventRecorder()
        let manager = Self.manager(
            [Self.provider("p", fallback: [Self.emergency(approvalFile: path)])],
            RoutedTransport(), clock: ImmediateClock(), metrics: TestMetrics(), events: events
        )
        let refused = await #expect(throws: TokenRefreshError.self) { try await manager.token(for: "p") }
        #expect(refused?.description.contains("approval file '\(path)' does not exist") == true, "\(String(describing: refused))")
        #expect(events.kinds(.fallbackRefused).first?["reason"] == .string("not_approved"))

        #expect(FileManager.default.createFile(atPath: path, contents: Data()))
        #expect(try await manager.token(for: "p").fallback == .emergencyKey)

        try FileManager.default.removeItem(atPath: path)
        await #expect(throws: TokenRefreshError.self) { try await manager.token(for: "p") }
    }

    @Test("the chain answers only once the OAuth token has expired, not while it is merely in its mandatory window")
    func onlyWhenExpired() async throws {
        let clock = ImmediateClock()
        let transport = RoutedTransport(["p.test": [.token("t1", expiresIn: 100)]])
        let manager = Self.manager(
            [Self.provider("p", fallback: [Self.emergency()])],
            transport, clock: clock, metrics: TestMetrics(), events: EventRecorder()
        )
        #expect(try await manager.token(for: "p").value.revealed == "t1")
        try await clock.sleep(for: .seconds(95))
        let error = await #expect(throws: TokenRefreshError.self) { try await manager.token(for: "p") }
        #expect(error?.description.contains("fallback") == false)
        try await clock.sleep(for: .seconds(6))
        #expect(try await manager.token(for: "p").fallback == .emergencyKey)
    }

    @Test("the breaker keeps probing while on fallback; the first real token ends the fallback")
    func returnToOAuth() async throws {
        let clock = ImmediateClock()
        let transport = RoutedTransport()
        let metrics = TestMetrics()
        let events = EventRecorder()
        let manager = Self.manager(
            [Self.provider("p", fallback: [Self.emergency()])], transport, clock: clock, metrics: metrics, events: events
        )
        for _ in 0..<4 {  // two failed rounds open the breaker; then it refuses without a request
            #expect(try await manager.token(for: "p").fallback == .emergencyKey)
        }
        #expect(transport.sent.count == 2)
        #expect(events.breakerStates == ["open"])
        transport.script("p.test", [.token("t1", expiresIn: 100)])
        try await clock.sleep(for: .seconds(30))
        let real = try await manager.token(for: "p")
        #expect(real.value.revealed == "t1")
        #expect(!real.isFallback)
        for _ in 0..<10 { #expect(try await manager.token(for: "p").fallback == nil) }
        #expect(Self.uses(metrics, "p", "emergency_key") == 4, "no more uses after recovery")
        let ended = try #require(events.kinds(.fallbackEnded).first)
        #expect(ended["uses"] == .int(4))
        #expect(ended["method"] == .string("emergency_key"))
        #expect(events.kinds(.fallbackEngaged).count == 1)
        let kinds = events.all.map(\.kind)
        let engagedAt = try #require(kinds.firstIndex(of: .fallbackEngaged))
        let endedAt = try #require(kinds.firstIndex(of: .fallbackEnded))
        let succeededAt = try #require(kinds.firstIndex(of: .refreshSucceeded))
        #expect(engagedAt < succeededAt && succeededAt < endedAt, "\(kinds)")
    }

    @Test("a background probe's success ends the fallback too (test clock, running manager)")
    func backgroundRecovery() async throws {
        let clock = TestClock()
        let transport = RoutedTransport()
        let events = EventRecorder()
        let manager = Self.manager(
            [Self.provider("p", fallback: [Self.emergency()])], transport, clock: clock, metrics: TestMetrics(),
            events: events
        )
        let task = Task { try await manager.run() }
        defer { task.cancel() }
        #expect(await eventually { (try? await manager.token(for: "p"))?.fallback == .emergencyKey })
        // Callers' own rounds fail too, until the breaker opens; they keep getting the key.
        let served = await eventually {
            guard (try? await manager.token(for: "p"))?.fallback == .emergencyKey else { return false }
            return events.breakerStates == ["open"]
        }
        #expect(served)
        transport.script("p.test", [.token("t1", expiresIn: 100)])
        await clock.advance(by: .seconds(31))
        #expect(await eventually { !events.kinds(.fallbackEnded).isEmpty })
        #expect(manager.cachedToken(for: try #require(manager.provider(named: "p")))?.value.revealed == "t1")
    }

    @Test("two providers naming each other do not loop: an alternate's own chain is never used")
    func noRecursion() async throws {
        let events = EventRecorder()
        let manager = Self.manager(
            [Self.provider("p", fallback: [.alternateProvider("q")]), Self.provider("q", fallback: [.alternateProvider("p")])],
            RoutedTransport(), clock: ImmediateClock(), metrics: TestMetrics(), events: events
        )
        let error = await #expect(throws: TokenRefreshError.self) { try await manager.token(for: "p") }
        #expect(error?.description.contains("fallback chain exhausted: 1) alternate provider 'q'") == true, "\(String(describing: error))")
        #expect(events.all.filter { $0.provider == "q" && Self.fallbackKinds.contains($0.kind) }.isEmpty)
    }

    @Test("an error after a failed chain keeps the OAuth error's class and never shows a secret")
    func exhaustedError() async throws {
        let manager = Self.manager(
            [Self.provider("p", fallback: [Self.emergency(maxDuration: .seconds(1), approvalFile: "/nonexistent/approve")])],
            RoutedTransport(), clock: ImmediateClock(), metrics: TestMetrics(), events: EventRecorder()
        )
        _ = try? await manager.token(for: "p")
        _ = try? await manager.token(for: "p")  // the second failed round opens the breaker
        let error = await #expect(throws: TokenRefreshError.self) { try await manager.token(for: "p") }
        #expect(error?.isBreakerOpen == true)
        #expect(error?.reason == "breaker_open")
        let text = "\(String(describing: error))"
        for secret in [Self.emergencyValue, "client-secret-123", "refresh-p"] { #expect(!text.contains(secret)) }
    }
}
