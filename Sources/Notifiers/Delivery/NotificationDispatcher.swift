import Logging
import Metrics
import Primitives
import ServiceLifecycle

/// Delivers alert notifications to notifiers without ever making the caller wait.
///
/// Each notifier has its own bounded queue and worker task: `enqueue` only appends to the queues
/// (dropping the oldest alerts of a full queue and counting them), and a slow or down receiver
/// delays nobody but its own queue. A worker takes batches of up to the notifier's `batchLimit`,
/// gives each attempt `attemptTimeout`, and retries failures with full-jitter exponential backoff
/// (at least `Retry-After` when the receiver sent one); HTTP 4xx other than 408 and 429 are not
/// retried. On graceful shutdown the queues are flushed for up to `shutdownGracePeriod`.
///
/// Metrics, each with the dimension `notifier`: `oauthtop_notifications_sent_total`,
/// `oauthtop_notifications_failed_total` (given up after retries),
/// `oauthtop_notifications_dropped_total` (queue full) and the gauge
/// `oauthtop_notification_queue_length`.
public final class NotificationDispatcher: Service, Sendable {
    private struct Lane: Sendable {
        let notifier: any Notifier
        let policy: DeliveryPolicy
        let queue: NotificationQueue
        let sent: Counter
        let failed: Counter
        let dropped: Counter
        let length: Gauge
    }

    private let lanes: [String: Lane]
    /// The notifier names, in the order given.
    public let notifierNames: [String]
    private let shutdownGracePeriod: Duration
    private let logger: Logger
    private let clock: any Clock<Duration>
    private let jitter: @Sendable (Duration) -> Duration

    /// - Parameters:
    ///   - notifiers: The receivers; names must be unique (a later duplicate is ignored).
    ///   - policy: The delivery policy of notifiers without an entry in `policies`.
    ///   - policies: Per-notifier policies, by name.
    ///   - shutdownGracePeriod: How long a graceful shutdown waits for the queues to drain.
    ///   - metricsFactory: Where the counters and gauges are made.
    ///   - logger: Failures are logged at `info`, retries at `debug`; never a secret.
    ///   - clock: The clock for timeouts and backoff.
    ///   - jitter: Draws the delay to wait from `0...ceiling`; uniform by default.
    public init(
        notifiers: [any Notifier],
        policy: DeliveryPolicy = DeliveryPolicy(),
        policies: [String: DeliveryPolicy] = [:],
        shutdownGracePeriod: Duration = .seconds(2),
        metricsFactory: any MetricsFactory = MetricsSystem.factory,
        logger: Logger = Logger(label: "oauthtop.notifiers"),
        clock: any Clock<Duration> = ContinuousClock(),
        jitter: @escaping @Sendable (Duration) -> Duration = NotificationDispatcher.fullJitter
    ) {
        var lanes: [String: Lane] = [:]
        var names: [String] = []
        for notifier in notifiers where lanes[notifier.name] == nil {
            let policy = policies[notifier.name] ?? policy
            let dimensions = [("notifier", notifier.name)]
            lanes[notifier.name] = Lane(
                notifier: notifier,
                policy: policy,
                queue: NotificationQueue(capacity: policy.queueCapacity),
                sent: Counter(
                    label: "oauthtop_notifications_sent_total", dimensions: dimensions, factory: metricsFactory
                ),
                failed: Counter(
                    label: "oauthtop_notifications_failed_total", dimensions: dimensions, factory: metricsFactory
                ),
                dropped: Counter(
                    label: "oauthtop_notifications_dropped_total", dimensions: dimensions, factory: metricsFactory
                ),
                length: Gauge(
                    label: "oauthtop_notification_queue_length", dimensions: dimensions, factory: metricsFactory
                )
            )
            names.append(notifier.name)
        }
        self.lanes = lanes
        self.notifierNames = names
        self.shutdownGracePeriod = shutdownGracePeriod
        self.logger = logger
        self.clock = clock
        self.jitter = jitter
        for lane in lanes.values { lane.length.record(0) }
    }

    /// A delay drawn uniformly from `0...ceiling`.
    @Sendable
    public static func fullJitter(_ ceiling: Duration) -> Duration {
        let nanoseconds = ceiling.nanoseconds
        guard nanoseconds > 0 else { return .zero }
        return .nanoseconds(Int64.random(in: 0...nanoseconds))
    }

    /// Queues `notifications` for the notifiers named `names` (all notifiers when `nil`).
    ///
    /// Never waits. A re-send (`isResend`) goes only to notifiers that want re-sends; unknown
    /// names are ignored (the configuration checks routes); a full queue drops its oldest alerts.
    public func enqueue(_ notifications: [AlertNotification], to names: [String]? = nil) {
        guard !notifications.isEmpty else { return }
        var seen = Set<String>()
        for name in names ?? self.notifierNames where seen.insert(name).inserted {
            guard let lane = self.lanes[name] else {
                self.logger.debug("no such notifier", metadata: ["notifier": "\(name)"])
                continue
            }
            let wanted = lane.notifier.wantsResends ? notifications : notifications.filter { !$0.isResend }
            let (dropped, length) = lane.queue.push(wanted)
            lane.length.record(length)
            if dropped > 0 {
                lane.dropped.increment(by: dropped)
                self.logger.info(
                    "notification queue full: dropped the oldest alerts",
                    metadata: ["notifier": "\(name)", "dropped": "\(dropped)"]
                )
            }
        }
    }

    /// The number of alerts waiting for notifier `name`, or `nil` for an unknown name.
    public func queueLength(_ name: String) -> Int? {
        self.lanes[name]?.queue.count
    }

    /// Runs one worker per notifier until cancelled, or until a graceful shutdown has flushed the
    /// queues (or its grace period ended).
    public func run() async throws {
        let lanes = Array(self.lanes.values)
        guard !lanes.isEmpty else {
            try? await gracefulShutdown()
            return
        }
        enum Role { case worker, stop }
        let grace = self.shutdownGracePeriod
        let clock = self.clock
        await withTaskGroup(of: Role.self) { group in
            for lane in lanes {
                group.addTask {
                    await self.work(lane)
                    return .worker
                }
            }
            group.addTask {
                do {
                    try await gracefulShutdown()
                } catch {
                    return .stop
                }
                for lane in lanes { lane.queue.close() }
                try? await clock.sleep(for: grace)
                return .stop
            }
            var workers = lanes.count
            while let role = await group.next() {
                switch role {
                case .worker:
                    workers -= 1
                    if workers == 0 { group.cancelAll() }
                case .stop:
                    group.cancelAll()
                }
            }
        }
        for lane in lanes where lane.queue.count > 0 {
            self.logger.info(
                "stopped with alerts still queued",
                metadata: ["notifier": "\(lane.notifier.name)", "queued": "\(lane.queue.count)"]
            )
        }
    }

    private func work(_ lane: Lane) async {
        while let batch = await lane.queue.take(limit: lane.notifier.batchLimit) {
            lane.length.record(lane.queue.count)
            await self.deliver(batch, lane)
        }
    }

    /// One batch: attempts with timeout and backoff until success, a final error or the last attempt.
    private func deliver(_ batch: [AlertNotification], _ lane: Lane) async {
        let name = lane.notifier.name
        var attempt = 0
        while true {
            attempt += 1
            let error: NotifierError
            do {
                try await self.attempt(batch, lane)
                lane.sent.increment(by: batch.count)
                return
            } catch let failure as NotifierError {
                error = failure
            } catch let other {
                error = .transport(notifier: name, host: "receiver", reason: String(describing: type(of: other)))
            }
            let last = attempt >= lane.policy.maxAttempts || !error.isRetryable || Task.isCancelled
            if last {
                lane.failed.increment(by: batch.count)
                self.logger.info(
                    "notification failed",
                    metadata: [
                        "notifier": "\(name)", "error": "\(error)", "code": "\(error.shortCode)",
                        "attempts": "\(attempt)", "alerts": "\(batch.count)",
                    ]
                )
                return
            }
            var delay = self.jitter(lane.policy.backoffCeiling(afterAttempt: attempt))
            if let retryAfter = error.retryAfter { delay = max(delay, retryAfter) }
            self.logger.debug(
                "notification attempt failed; retrying",
                metadata: ["notifier": "\(name)", "error": "\(error)", "delay": "\(delay)"]
            )
            do {
                try await self.clock.sleep(for: delay)
            } catch {
                lane.failed.increment(by: batch.count)
                return
            }
        }
    }

    private func attempt(_ batch: [AlertNotification], _ lane: Lane) async throws {
        let notifier = lane.notifier
        let timeout = lane.policy.attemptTimeout
        let clock = self.clock
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await notifier.deliver(batch) }
            group.addTask {
                try await clock.sleep(for: timeout)
                throw NotifierError.timeout(notifier: notifier.name, after: timeout)
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }
}
