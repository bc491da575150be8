import AsyncHTTPClient
import Clocks
import Foundation
import Logging
import MetricsTestKit
import Notifiers
import OAuthTopTestKit
import Primitives
import ServiceLifecycle
import Synchronization
import Testing

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

    @Test("a down receiver: three attempts, then the failed counter")
    func downReceiver() async throws {
        let port = try freeLoopbackPort()
        let notifier = CountingNotifier(
            AlertmanagerNotifier(name: "am", baseURL: "http://127.0.0.1:\(port)", httpClient: .shared)
        )
        // AsyncHTTPClient keeps trying to connect until the request's deadline, so a refused
        // connection costs an attempt its whole timeout: keep it short here.
        var policy = self.fast
        policy.attemptTimeout = .milliseconds(300)
        let dispatcher = self.dispatcher([notifier], policy: policy)
        try await running(dispatcher) {
            dispatcher.enqueue([breakerAlert()])
            // Three attempts and their backoffs take about a second; a loaded machine has taken over ten.
            let failed = await eventually(timeout: .seconds(60)) { self.counter("failed", "am") == 1 }
            #expect(failed)
            #expect(notifier.attempts.withLock { $0 } == 3)
            #expect(self.counter("sent", "am") == 0)
        }
    }

    @Test(
        "enqueue never waits for a delivery: it returns while the notifier is still delivering",
        .timeLimit(.minutes(1))
    )
    func enqueueDoesNotWait() async throws {
        let gate = Gate()
        let notifier = GatedNotifier(name: "held", gate: gate)
        let dispatcher = self.dispatcher([notifier])
        try await running(dispatcher) {
            dispatcher.enqueue([numberedAlert(1)])
            let held = await eventually { gate.waiting == 1 }
            try #require(held, "the worker never started delivering")
            // The delivery of alert 1 cannot finish before the gate opens below: had enqueue waited for it,
            // this call would never return (and the time limit would fail the test).
            dispatcher.enqueue([numberedAlert(2)])
            #expect(dispatcher.queueLength("held") == 1)
            #expect(notifier.delivered.isEmpty)
            gate.open()
            let sent = await eventually { self.counter("sent", "held") == 2 }
            #expect(sent)
            #expect(notifier.delivered.map { $0.labels["alertname"] } == ["a1", "a2"])
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
                // Alert 0's request still hangs, so enqueue returned without waiting for the worker.
                dispatcher.enqueue((1...100).map(numberedAlert))
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

    @Test("429 with Retry-After: the retry waits exactly that long (jitter zero), not less")
    func retryAfter() async throws {
        try await LoopbackReceiver.with(behaviour: { $0 == 0 ? .status(429, retryAfter: "7") : .status(200) }) {
            receiver in
            let notifier = AlertmanagerNotifier(name: "am", baseURL: receiver.baseURL, httpClient: .shared)
            let clock = SleepRecordingClock(TestClock<Duration>())
            let dispatcher = NotificationDispatcher(
                notifiers: [notifier], policy: self.fast, metricsFactory: self.metrics, logger: quietLogger,
                clock: clock, jitter: { _ in .zero }
            )
            try await running(dispatcher) {
                dispatcher.enqueue([breakerAlert()])
                // The first attempt's timeout (5 s) sleeps on the clock, then the retry waits for Retry-After.
                let waiting = await eventually { clock.sleeps.count == 2 }
                try #require(waiting, "sleeps: \(clock.sleeps)")
                #expect(clock.sleeps == [.seconds(5), .seconds(7)])
                #expect(receiver.requests.count == 1)
                await clock.base.advance(by: .seconds(7))
                let sent = await eventually { self.counter("sent", "am") == 1 }
                #expect(sent)
                #expect(receiver.requests.count == 2)
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
            // Timeouts run on a test clock: no real attempt can outlast one, however slow the machine.
            let clock = SleepRecordingClock(TestClock<Duration>())
            let dispatcher = NotificationDispatcher(
                notifiers: [notifier], policy: self.fast, metricsFactory: self.metrics, logger: quietLogger,
                clock: clock, jitter: { _ in .zero }
            )
            try await running(dispatcher) {
                dispatcher.enqueue([breakerAlert()])
                // The first request hangs; its attempt waits on the clock for the 5 s timeout.
                let hanging = await eventually { receiver.requests.count == 1 && clock.sleeps.count == 1 }
                try #require(hanging, "requests: \(receiver.requests.count), sleeps: \(clock.sleeps)")
                await clock.base.advance(by: .seconds(5))
                // Timed out: the retry's backoff (zero with this jitter) is the next sleep on the clock; a
                // zero-length sleep on a test clock ends at the next advance, so keep advancing by zero.
                let sent = await eventually {
                    if self.counter("sent", "am") == 1 { return true }
                    await clock.base.advance(by: .zero)
                    return false
                }
                #expect(sent)
                #expect(clock.sleeps.prefix(2) == [.seconds(5), .zero], "sleeps: \(clock.sleeps)")
                #expect(receiver.requests.count == 2)
                #expect(self.counter("failed", "am") == 0)
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

    @Test(
        "graceful shutdown delivers what is queued, and a hung receiver cannot hold it past the grace period",
        .timeLimit(.minutes(1))
    )
    func gracefulShutdownFlushes() async throws {
        try await LoopbackReceiver.with(behaviour: { _ in .hang }) { receiver in
            let recording = RecordingNotifier(name: "out")
            let hung = AlertmanagerNotifier(name: "am", baseURL: receiver.baseURL, httpClient: .shared)
            let dispatcher = NotificationDispatcher(
                // Seconds: the queued alerts must be delivered within it even on a loaded 2-core machine (300 ms
                // was not always enough); the hung receiver then holds run() for the whole period.
                notifiers: [recording, hung], policy: self.fast, shutdownGracePeriod: .seconds(3),
                metricsFactory: self.metrics, logger: quietLogger, jitter: { _ in .zero }
            )
            dispatcher.enqueue((1...5).map(numberedAlert))
            let group = ServiceGroup(configuration: .init(services: [dispatcher], logger: quietLogger))
            async let run: Void = group.run()
            let hanging = await eventually { receiver.requests.count == 1 }
            #expect(hanging)
            await group.triggerGracefulShutdown()
            // The receiver holds its request until the test ends: only the grace period lets run() return.
            try await run
            #expect(recording.delivered.count == 5)
            #expect(self.counter("sent", "am") == 0)
        }
    }
}
