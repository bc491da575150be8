import Alerting
import Benchmark
import CoreMetrics
import OAuthTopConfig
import Telemetry

/// 1,000 series with one hour of history at 1 s resolution (3.6 million samples) in a real Telemetry
/// collector, as `oauthtop run` keeps them: 250 series for each metric the four seed rules read
/// (`oauth_refresh_failures_total`, `oauth_circuit_breaker_state`, `oauth_fallback_auth_used_total`,
/// `oauth_token_expired_during_task_total`), each labelled with its own provider.
struct SeedRuleData {
    static let seriesPerMetric = 250
    static let seconds = 3600
    static let start: Int64 = 1_700_000_000_000

    let collector: TelemetryCollector
    let evaluationTime: Int64

    init() {
        let collector = TelemetryCollector(configuration: .init(retention: .seconds(3600), resolution: .seconds(1)))
        var failures: [any CounterHandler] = []
        var fallbacks: [any CounterHandler] = []
        var expired: [any CounterHandler] = []
        var breakers: [any RecorderHandler] = []
        for index in 0..<Self.seriesPerMetric {
            let provider = [("provider", "provider-\(index)")]
            failures.append(collector.makeCounter(label: "oauth_refresh_failures_total", dimensions: provider))
            fallbacks.append(
                collector.makeCounter(
                    label: "oauth_fallback_auth_used_total",
                    dimensions: provider + [("method", "emergency_key")]
                ))
            expired.append(collector.makeCounter(label: "oauth_token_expired_during_task_total", dimensions: provider))
            breakers.append(
                collector.makeRecorder(label: "oauth_circuit_breaker_state", dimensions: provider, aggregate: false))
        }
        for second in 0..<Self.seconds {
            for index in 0..<Self.seriesPerMetric {
                // Every provider fails every 2 to 8 s (a rate of 0.125 to 0.5/s, above the rule's 0.1), a third
                // have their breaker open at the end, a tenth use the fallback and a fifth lose tokens
                // mid-task: 250 + 84 + 25 + 50 = 409 firing alerts.
                if (second + index) % (index % 7 + 2) == 0 {
                    failures[index].increment(by: 1)
                }
                if index % 10 == 0, second % 600 == 0 {
                    fallbacks[index].increment(by: 1)
                }
                if index % 5 == 0, second % 15 == 0 {
                    expired[index].increment(by: 1)
                }
                breakers[index].record(Double((second / 300 + index) % 3))
            }
            collector.sample(at: Self.start + Int64(second) * 1000)
        }
        self.collector = collector
        self.evaluationTime = Self.start + Int64(Self.seconds - 1) * 1000
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, .cpuTotal],
        warmupIterations: 3,
        maxDuration: .seconds(5),
        maxIterations: 500
    )

    let data = SeedRuleData()
    let groups = RuleFileParser.defaultGroups()

    // One evaluation round of the four seed rules: two 1 h rates over 250 series × 3,600 samples each, a
    // 5 m rate and the breaker-state comparison, with their alert states and ALERTS series.
    Benchmark("evaluate the 4 seed rules over 1,000 series × 1 h at 1 s") { benchmark in
        let output = RuleOutputStore()
        let evaluator = Evaluator(source: CombinedSeriesSource([data.collector, output]), aliases: .oauthTop)
        var states = groups.map(RuleGroupState.init)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            for index in states.indices {
                blackHole(states[index].evaluate(at: data.evaluationTime, with: evaluator, output: output))
            }
        }
    }

    // Memory: bytes the collector uses per stored sample (counter and gauge samples are 16 bytes).
    Benchmark(
        "stored bytes per sample (1,000 series × 3,600 samples)",
        configuration: .init(
            metrics: [.custom("bytes per sample", polarity: .prefersSmaller, useScalingFactor: false)],
            maxIterations: 1
        )
    ) { benchmark in
        let statistics = data.collector.storageStatistics()
        benchmark.measurement(
            .custom("bytes per sample", polarity: .prefersSmaller, useScalingFactor: false),
            statistics.reservedBytes / max(1, statistics.samples)
        )
    }
}
