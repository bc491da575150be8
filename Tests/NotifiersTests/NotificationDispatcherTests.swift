import AsyncHTTPClient
import Foundation
import Logging
import MetricsTestKit
import Notifiers
import Primitives
import ServiceLifecycle
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Counts the attempts of the notifier it wraps.
final class CountingNotifier: Notifier {
    let inner: any Notifier
    let attempts = Mutex(0)
    var name: String { self.inner.name }
    var wantsResends: Bool { self.inner.wantsResends }
    var batchLimit: Int { self.inner.batchLimit }

    init(_ inner: any Notifier) { self.inner = inner }

    func deliver(_ batch: [AlertNotification]) async throws {
        self.attempts.withLock { $0 += 1 }
        try await self.inner.deliver(batch)
    }
}

/// A loopback port nobody listens on: bound, read and closed.
func closedPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    try #require(fd >= 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    try #require(bound == 0)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let named = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    try #require(named == 0)
    return Int(UInt16(bigEndian: address.sin_port))
}

func numberedAlert(_ number: Int) -> AlertNotification {
    AlertNotification(status: .firing, labels: ["alertname": "a\(number)", "severity": "warning"], startsAt: testStart)
}

@Suite("Notification dispatcher")
struct NotificationDispatcherTests {
    let metrics = TestMetrics()
    let fast = DeliveryPolicy(
        queueCapacity: 1000, attemptTimeout: .seconds(5), maxAttempts: 3, backoffBase: .milliseconds(1)
    )

    func counter(_ name: String, _ notifier: String) -> Int64 {
        self.metrics.counterTotal(label: "oauthtop_notifications_\(name)_total", dimensions: [("notifier", notifier)])
    }

    func dispatcher(_ notifiers: [any Notifier], policy: DeliveryPolicy? = nil) -> NotificationDispatcher {
        NotificationDispatcher(
            notifiers: notifiers, policy: policy ?? self.fast, metricsFactory: self.metrics, logger: quietLogger,
            jitter: { _ in .zero }
        )
    }

    @Test("a down receiver: enqueue returns at once, three attempts, then the failed counter")
    func downReceiver() async throws {
        let port = try closedPort()
        let notifier = CountingNotifier(
            AlertmanagerNotifier(name: "am", baseURL: "http://127.0.0.1:\(port)", httpClient: .shared)
        )
        // AsyncHTTPClient keeps trying to connect until the request's deadline, so a refused
        // connection costs an attempt its whole timeout: keep it short here.
        var policy = self.fast
        policy.attemptTimeout = .milliseconds(300)
        let dispatcher = self.dispatcher([notifier], policy: policy)
        try await running(dispatcher) {
            let started = ContinuousClock.now
            dispatcher.enqueue([breakerAlert()])
            #expect(ContinuousClock.now - started < .milliseconds(50))
            let failed = await eventually { self.counter("failed", "am") == 1 }
            #expect(failed)
            #expect(notifier.attempts.withLock { $0 } == 3)
            #expect(self.counter("sent", "am") == 0)
        }
    }

    @Test("a hanging receiver with capacity 10: 100 more alerts drop exactly the 90 oldest")
    func boundedQueue() async throws {
        try await LoopbackReceiver.with(behaviour: { $0 == 0 ? .hang : .status(200) }) { receiver in
            let slack = SlackNotifier(
                name: "slack", url: Secret(receiver.baseURL + "/hook"), httpClient: .shared
            )
            var policy = self.fast
            policy.queueCapacity = 10
            policy.attemptTimeout = .seconds(60)
            let dispatcher = self.dispatcher([slack], policy: policy)
            try await running(dispatcher) {
                dispatcher.enqueue([numberedAlert(0)])
                // The worker holds alert 0 in a request that does not answer.
                let holding = await eventually { receiver.requests.count == 1 }
                try #require(holding)
                let started = ContinuousClock.now
                dispatcher.enqueue((1...100).map(numberedAlert))
                #expect(ContinuousClock.now - started < .milliseconds(100))
                #expect(self.counter("dropped", "slack") == 90)
                #expect(dispatcher.queueLength("slack") == 10)
                let gauge = try self.metrics.expectGauge("oauthtop_notification_queue_length", [("notifier", "slack")])
                #expect(gauge.values.allSatisfy { $0 <= 10 })
                #expect(gauge.lastValue == 10)

                // Released, the held alert is retried and the 10 newest follow.
                receiver.release()
                let drained = await eventually { self.counter("sent", "slack") == 11 }
                #expect(drained)
                let names = receiver.requests.dropFirst(2).compactMap { request -> String? in
                    (request.json as? [String: Any])?["text"] as? String
                }
                #expect(names == (91...100).map { "[FIRING] a\($0)" })
                #expect(self.counter("failed", "slack") == 0)
            }
        }
    }

    @Test("429 with Retry-After: the retry waits at least that long")
    func retryAfter() async throws {
        try await LoopbackReceiver.with(behaviour: { $0 == 0 ? .status(429, retryAfter: "1") : .status(200) }) {
            receiver in
            let notifier = AlertmanagerNotifier(name: "am", baseURL: receiver.baseURL, httpClient: .shared)
            let dispatcher = self.dispatcher([notifier])
            try await running(dispatcher) {
                dispatcher.enqueue([breakerAlert()])
                let sent = await eventually { self.counter("sent", "am") == 1 }
                #expect(sent)
                let requests = receiver.requests
                try #require(requests.count == 2)
                #expect(requests[1].at - requests[0].at >= .seconds(1))
            }
        }
    }

    @Test(
        "client errors other than 408 and 429 are not retried; others are, up to the attempt limit",
        arguments: [(400, 1), (401, 1), (404, 1), (422, 1), (408, 3), (429, 3), (500, 3), (503, 3)]
    )
    func retriedStatuses(status: Int, attempts: Int) async throws {
        try await LoopbackReceiver.with(behaviour: { _ in .status(status) }) { receiver in
            let notifier = WebhookNotifier(
                name: "hook", url: Secret(receiver.baseURL + "/hook"), httpClient: .shared
            )
            let dispatcher = self.dispatcher([notifier])
            try await running(dispatcher) {
                dispatcher.enqueue([breakerAlert()])
                let failed = await eventually { self.counter("failed", "hook") == 1 }
                #expect(failed)
                #expect(receiver.requests.count == attempts)
            }
        }
    }

    @Test("an attempt that exceeds its timeout fails and is retried")
    func attemptTimeout() async throws {
        try await LoopbackReceiver.with(behaviour: { $0 == 0 ? .hang : .status(200) }) { receiver in
            let notifier = AlertmanagerNotifier(name: "am", baseURL: receiver.baseURL, httpClient: .shared)
            var policy = self.fast
            policy.attemptTimeout = .milliseconds(200)
            let dispatcher = self.dispatcher([notifier], policy: policy)
            try await running(dispatcher) {
                dispatcher.enqueue([breakerAlert()])
                let sent = await eventually { self.counter("sent", "am") == 1 }
                #expect(sent)
                #expect(receiver.requests.count == 2)
            }
        }
    }

    @Test("re-sends go only to notifiers that want them; names route")
    func resends() async throws {
        let alertmanager = RecordingNotifier(name: "am", wantsResends: true, batchLimit: 64)
        let slack = RecordingNotifier(name: "slack")
        let other = RecordingNotifier(name: "other")
        let dispatcher = self.dispatcher([alertmanager, slack, other])
        try await running(dispatcher) {
            dispatcher.enqueue([breakerAlert(), breakerAlert(isResend: true)], to: ["am", "slack", "nobody"])
            let done = await eventually { self.counter("sent", "am") == 2 && self.counter("sent", "slack") == 1 }
            #expect(done)
            #expect(alertmanager.delivered.map(\.isResend) == [false, true])
            #expect(slack.delivered.map(\.isResend) == [false])
            #expect(other.delivered.isEmpty)
            dispatcher.enqueue([breakerAlert(status: .resolved)])
            let all = await eventually { other.delivered.count == 1 }
            #expect(all)
        }
    }

    @Test("graceful shutdown delivers what is queued, and a hung receiver cannot hold it past the grace period")
    func gracefulShutdownFlushes() async throws {
        try await LoopbackReceiver.with(behaviour: { _ in .hang }) { receiver in
            let recording = RecordingNotifier(name: "out")
            let hung = AlertmanagerNotifier(name: "am", baseURL: receiver.baseURL, httpClient: .shared)
            let dispatcher = NotificationDispatcher(
                notifiers: [recording, hung], policy: self.fast, shutdownGracePeriod: .milliseconds(300),
                metricsFactory: self.metrics, logger: quietLogger, jitter: { _ in .zero }
            )
            dispatcher.enqueue((1...5).map(numberedAlert))
            let group = ServiceGroup(configuration: .init(services: [dispatcher], logger: quietLogger))
            let started = ContinuousClock.now
            async let run: Void = group.run()
            let hanging = await eventually { receiver.requests.count == 1 }
            #expect(hanging)
            await group.triggerGracefulShutdown()
            try await run
            #expect(ContinuousClock.now - started < .seconds(5))
            #expect(recording.delivered.count == 5)
            #expect(self.counter("sent", "am") == 0)
        }
    }
}
