import Telemetry
import TokenManager

extension DashboardSnapshot {
    /// Captures a snapshot from the token manager's state and the Telemetry collector.
    ///
    /// - Parameters:
    ///   - collector: The collector the manager records into (sampled every second).
    ///   - providers: The manager's provider snapshots.
    ///   - events: Recent token events, oldest first; only the last `maxEvents` are kept.
    ///   - alerts: Pending and firing alerts.
    ///   - range: The time range the panels show.
    ///   - now: The capture time (Unix nanoseconds, the manager's clock).
    ///   - uptime: How long the program has been running.
    ///   - points: Points per history graph: the graph width (``DashboardRenderer/graphPoints(for:)``).
    ///   - refreshMode: The header's refresh mode text.
    ///   - utcOffsetSeconds: The wall clock's offset from UTC.
    ///   - maxEvents: How many events to keep.
    /// - Returns: The snapshot.
    public static func capture(
        collector: TelemetryCollector,
        providers: [ProviderSnapshot],
        events: [TokenEvent],
        alerts: [AlertRow] = [],
        range: TimeRange,
        now: Int64,
        uptime: Duration,
        points: Int,
        refreshMode: String = "proactive",
        utcOffsetSeconds: Int = 0,
        maxEvents: Int = 200
    ) -> DashboardSnapshot {
        self.capture(
            collector: collector,
            providers: providers.map(ProviderRow.init),
            events: events.suffix(maxEvents).map(EventRow.init),
            alerts: alerts,
            range: range,
            now: now,
            uptime: uptime,
            points: points,
            refreshMode: refreshMode,
            utcOffsetSeconds: utcOffsetSeconds
        )
    }

    /// Captures a snapshot from provider rows and event rows already built.
    ///
    /// Reductions, each over the range cut into `points` buckets (at most one per sample interval):
    /// - success rate: successful rounds (attempts with outcome `success`) / (successful + failed rounds);
    /// - lifetime: the average issued lifetime, and each token's seconds until expiry;
    /// - latency: p99 and p50 of the duration histogram's bucket increases (`histogram_quantile`);
    /// - fallback: increase of fallback uses by method;
    /// - breaker: each provider's state gauge;
    /// - conflicts: increase over the range, per-second rate per bucket.
    ///
    /// A counter figure needs two samples; until then it is `nil` and the panel says so.
    public static func capture(
        collector: TelemetryCollector,
        providers: [ProviderRow],
        events: [EventRow],
        alerts: [AlertRow] = [],
        range: TimeRange,
        now: Int64,
        uptime: Duration,
        points: Int,
        refreshMode: String = "proactive",
        utcOffsetSeconds: Int = 0
    ) -> DashboardSnapshot {
        let nowMilliseconds = now / 1_000_000
        let resolution = collector.configuration.resolution
        let resolutionMilliseconds = max(
            1,
            resolution.components.seconds * 1000 + resolution.components.attoseconds / 1_000_000_000_000_000
        )
        var reducer = BucketReducer(
            now: nowMilliseconds,
            range: range.milliseconds,
            points: points,
            resolution: resolutionMilliseconds
        )
        let window = (reducer.start - 60_000)...nowMilliseconds
        let fetched = CapturedSeries(collector: collector, window: window)
        reducer.captureStart = fetched.earliestSample ?? reducer.start
        let names = providers.map(\.name)

        var panels = PanelData()
        panels.successRate = Self.successRate(fetched, reducer, providers: names)
        panels.lifetime = Self.lifetime(fetched, reducer, providers: providers, now: now)
        panels.latency = Self.latency(fetched, reducer)
        panels.fallback = Self.fallback(fetched, reducer)
        panels.breaker = providers.map { provider in
            let gauge = reducer.lastValues(fetched.series(OAuthMetricNames.circuitBreakerState, provider.name))
            return DashboardSeries(
                label: provider.name,
                value: Double(provider.breaker.gaugeValue),
                points: gauge.points
            )
        }
        panels.conflicts = Self.conflicts(fetched, reducer, providers: names)
        return DashboardSnapshot(
            now: now,
            uptime: uptime,
            utcOffsetSeconds: utcOffsetSeconds,
            providers: providers,
            range: range,
            panels: panels,
            alerts: alerts,
            events: events,
            refreshMode: refreshMode
        )
    }

    private static func successRate(
        _ fetched: CapturedSeries,
        _ reducer: BucketReducer,
        providers: [String]
    ) -> [DashboardSeries] {
        var successes: [[Double?]] = []
        var failures: [[Double?]] = []
        var rows: [DashboardSeries] = []
        var totals: (success: Double?, failure: Double?) = (nil, nil)
        for provider in providers {
            let success = fetched.counters(
                OAuthMetricNames.refreshAttempts, provider, reducer,
                where: { $0[OAuthMetricNames.Label.outcome] == "success" }
            )
            let failure = fetched.counters(OAuthMetricNames.refreshFailures, provider, reducer)
            successes.append(success.points)
            failures.append(failure.points)
            totals.success = BucketReducer.sum([totals.success, success.total])
            totals.failure = BucketReducer.sum([totals.failure, failure.total])
            rows.append(
                DashboardSeries(
                    label: provider,
                    value: Self.ratio(success.total, failure.total),
                    points: zip(success.points, failure.points).map { Self.ratio($0, $1) }
                )
            )
        }
        let allSuccess = BucketReducer.sum(successes, count: reducer.count)
        let allFailure = BucketReducer.sum(failures, count: reducer.count)
        let all = DashboardSeries(
            label: "all",
            value: Self.ratio(totals.success, totals.failure),
            points: zip(allSuccess, allFailure).map { Self.ratio($0, $1) }
        )
        return [all] + rows
    }

    /// successes / (successes + failures); `nil` without data or without rounds.
    private static func ratio(_ successes: Double?, _ failures: Double?) -> Double? {
        guard successes != nil || failures != nil else { return nil }
        let good = successes ?? 0
        let rounds = good + (failures ?? 0)
        return rounds > 0 ? good / rounds : nil
    }

    private static func lifetime(
        _ fetched: CapturedSeries,
        _ reducer: BucketReducer,
        providers: [ProviderRow],
        now: Int64
    ) -> [DashboardSeries] {
        var lifetimes: [[Double?]] = []
        var current: [Double] = []
        var rows: [DashboardSeries] = []
        for provider in providers {
            let lifetime = reducer.lastValues(fetched.series(OAuthMetricNames.tokenLifetime, provider.name))
            lifetimes.append(lifetime.points)
            if let value = provider.lifetimeSeconds ?? lifetime.last { current.append(value) }
            let expires = reducer.lastValues(fetched.series(OAuthMetricNames.tokenExpiresIn, provider.name))
            let remaining = provider.expiresAt.map { Double($0 - now) / 1e9 } ?? expires.last
            rows.append(DashboardSeries(label: provider.name, value: remaining, points: expires.points))
        }
        let sums = BucketReducer.sum(lifetimes, count: reducer.count)
        let averages: [Double?] = (0..<reducer.count).map { bucket in
            let present = lifetimes.filter { bucket < $0.count && $0[bucket] != nil }.count
            return sums[bucket].map { $0 / Double(max(1, present)) }
        }
        let average = current.isEmpty ? nil : current.reduce(0, +) / Double(current.count)
        return [DashboardSeries(label: "average", value: average, points: averages)] + rows
    }

    private static func latency(_ fetched: CapturedSeries, _ reducer: BucketReducer) -> [DashboardSeries] {
        var byBound: [Double: (points: [Double?], total: Double?)] = [:]
        for series in fetched.all(OAuthMetricNames.refreshDuration + "_bucket") {
            guard let text = series.labels["le"], let bound = text == "+Inf" ? .infinity : Double(text) else {
                continue
            }
            let increase = reducer.increases(series.samples)
            let previous = byBound[bound] ?? (Array(repeating: nil, count: reducer.count), nil)
            byBound[bound] = (
                BucketReducer.sum([previous.points, increase.points], count: reducer.count),
                BucketReducer.sum([previous.total, increase.total])
            )
        }
        func quantile(_ q: Double, _ counts: [(upperBound: Double, count: Double?)]) -> Double? {
            guard counts.contains(where: { $0.count != nil }) else { return nil }
            return HistogramQuantile.quantile(q, buckets: counts.map { ($0.upperBound, $0.count ?? 0) })
        }
        let bounds = byBound.keys.sorted()
        var result: [DashboardSeries] = []
        for (label, q) in [("p99", 0.99), ("p50", 0.5)] {
            let total = quantile(q, bounds.map { ($0, byBound[$0]?.total) })
            let points = (0..<reducer.count).map { bucket in
                quantile(q, bounds.map { ($0, byBound[$0]?.points[bucket]) })
            }
            result.append(DashboardSeries(label: label, value: total, points: points))
        }
        return result
    }

    private static func fallback(_ fetched: CapturedSeries, _ reducer: BucketReducer) -> [DashboardSeries] {
        var byMethod: [String: (points: [Double?], total: Double?)] = [:]
        for series in fetched.all(OAuthMetricNames.fallbackAuthUsed) {
            let method = series.labels[OAuthMetricNames.Label.method] ?? "unknown"
            let increase = reducer.increases(series.samples)
            let previous = byMethod[method] ?? (Array(repeating: nil, count: reducer.count), nil)
            byMethod[method] = (
                BucketReducer.sum([previous.points, increase.points], count: reducer.count),
                BucketReducer.sum([previous.total, increase.total])
            )
        }
        let methods = byMethod.keys.sorted().map { method in
            DashboardSeries(label: method, value: byMethod[method]?.total, points: byMethod[method]?.points ?? [])
        }
        let all = DashboardSeries(
            label: "all",
            value: BucketReducer.sum(methods.map(\.value)),
            points: BucketReducer.sum(methods.map(\.points), count: reducer.count)
        )
        return [all] + methods
    }

    private static func conflicts(
        _ fetched: CapturedSeries,
        _ reducer: BucketReducer,
        providers: [String]
    ) -> [DashboardSeries] {
        let rows = providers.map { provider in
            let increase = fetched.counters(OAuthMetricNames.refreshConflicts, provider, reducer)
            return DashboardSeries(label: provider, value: increase.total, points: increase.points)
        }
        let seconds = reducer.bucketSeconds
        let all = DashboardSeries(
            label: "all",
            value: BucketReducer.sum(rows.map(\.value)),
            points: BucketReducer.sum(rows.map(\.points), count: reducer.count).map { $0.map { $0 / seconds } }
        )
        return [all] + rows
    }
}

/// The series a capture reads, fetched once from the collector.
private struct CapturedSeries {
    private var byName: [String: [SeriesSnapshot]] = [:]
    /// The earliest sample time among them.
    private(set) var earliestSample: Int64?

    init(collector: TelemetryCollector, window: ClosedRange<Int64>) {
        let names = [
            OAuthMetricNames.refreshAttempts, OAuthMetricNames.refreshFailures,
            OAuthMetricNames.refreshDuration + "_bucket", OAuthMetricNames.tokenLifetime,
            OAuthMetricNames.tokenExpiresIn, OAuthMetricNames.fallbackAuthUsed,
            OAuthMetricNames.circuitBreakerState, OAuthMetricNames.refreshConflicts,
        ]
        for name in names {
            let series = collector.series(named: name, in: window)
            self.byName[name] = series
            for snapshot in series {
                guard let first = snapshot.samples.first?.timestamp else { continue }
                self.earliestSample = min(self.earliestSample ?? first, first)
            }
        }
    }

    func all(_ name: String) -> [SeriesSnapshot] {
        self.byName[name] ?? []
    }

    /// The samples of the one series of `name` for `provider` (a gauge); empty when there is none.
    func series(_ name: String, _ provider: String) -> [Sample] {
        self.all(name).first { $0.labels[OAuthMetricNames.Label.provider] == provider }?.samples ?? []
    }

    /// The summed increases of every counter series of `name` for `provider` that passes `filter`.
    func counters(
        _ name: String,
        _ provider: String,
        _ reducer: BucketReducer,
        where filter: ([String: String]) -> Bool = { _ in true }
    ) -> (points: [Double?], total: Double?) {
        var points: [[Double?]] = []
        var totals: [Double?] = []
        for series in self.all(name)
        where series.labels[OAuthMetricNames.Label.provider] == provider && filter(series.labels) {
            let increase = reducer.increases(series.samples)
            points.append(increase.points)
            totals.append(increase.total)
        }
        return (BucketReducer.sum(points, count: reducer.count), BucketReducer.sum(totals))
    }
}
