import Foundation
import Metrics
import OAuthTopTestKit
import Testing
import TokenManager

@testable import Telemetry

@Suite("Prometheus text exposition")
struct ExpositionTests {
    @Test func goldenText() {
        let collector = TelemetryCollector(configuration: .init(histogramBuckets: [0.1, 1]))
        collector.describe("requests_total", help: "Requests served.")
        collector.describe("temperature", help: "Room temperature\nin \\degrees.")
        Counter(label: "requests_total", dimensions: [("code", "500")], factory: collector).increment()
        Counter(label: "requests_total", dimensions: [("code", "200")], factory: collector).increment(by: 3)
        Gauge(label: "temperature", factory: collector).record(21.5)
        let timer = Timer(label: "latency_seconds", dimensions: [("path", "/a")], factory: collector)
        timer.recordMilliseconds(50)
        timer.recordSeconds(2)

        let expected = """
            # HELP latency_seconds Recorded through swift-metrics; no description registered.
            # TYPE latency_seconds histogram
            latency_seconds_bucket{path="/a",le="0.1"} 1
            latency_seconds_bucket{path="/a",le="1"} 1
            latency_seconds_bucket{path="/a",le="+Inf"} 2
            latency_seconds_sum{path="/a"} 2.05
            latency_seconds_count{path="/a"} 2
            # HELP requests_total Requests served.
            # TYPE requests_total counter
            requests_total{code="200"} 3
            requests_total{code="500"} 1
            # HELP temperature Room temperature\\nin \\\\degrees.
            # TYPE temperature gauge
            temperature 21.5

            """
        #expect(collector.exposition() == expected)
    }

    @Test func emptyCollectorExportsNothing() {
        #expect(TelemetryCollector().exposition() == "")
    }

    @Test("described families without series still show HELP and TYPE, so every documented family is scraped")
    func describedFamiliesWithoutSeries() {
        let collector = TelemetryCollector()
        collector.describe(OAuthMetricNames.all)
        let text = collector.exposition()
        for description in OAuthMetricNames.all {
            #expect(text.contains("# TYPE \(description.name) "), "\(description.name)")
        }
        #expect(!text.contains("{"), "no series were invented")
    }

    @Test(arguments: [
        ("plain", "plain"),
        ("say \"hi\"", "say \\\"hi\\\""),
        ("C:\\temp", "C:\\\\temp"),
        ("two\nlines", "two\\nlines"),
        ("\\\"\n", "\\\\\\\"\\n"),
    ])
    func labelValuesAreEscaped(raw: String, escaped: String) {
        let collector = TelemetryCollector()
        Gauge(label: "info", dimensions: [("value", raw)], factory: collector).record(1)
        #expect(collector.exposition().contains("info{value=\"\(escaped)\"} 1\n"))
        #expect(collector.series(named: "info").first?.labels["value"] == raw)
    }

    @Test(arguments: [
        (3.0, "3"), (-2.0, "-2"), (0.25, "0.25"), (Double.infinity, "+Inf"), (-Double.infinity, "-Inf"),
        (Double.nan, "NaN"), (1e20, "1e+20"), (0.005, "0.005"),
    ])
    func valuesAreFormatted(value: Double, text: String) {
        #expect(PrometheusFormat.value(value) == text)
    }

    @Test func promtoolAcceptsTheExposition() throws {
        let promtool = try #require(
            Self.findPromtool(),
            "promtool not found: install Debian's `prometheus` package (apt-get install prometheus); scripts/test does"
        )
        let collector = TelemetryCollector()
        collector.describe(OAuthMetricNames.all)
        for (provider, endpoint) in [("github", "primary"), ("github", "backup"), ("weird \"name\"\\\n", "x")] {
            Counter(
                label: OAuthMetricNames.refreshAttempts,
                dimensions: [("provider", provider), ("endpoint", endpoint), ("outcome", "success")],
                factory: collector
            ).increment()
            let timer = Timer(
                label: OAuthMetricNames.refreshDuration,
                dimensions: [("provider", provider), ("endpoint", endpoint)],
                factory: collector
            )
            timer.recordMilliseconds(120)
            timer.recordSeconds(3)
        }
        Gauge(label: OAuthMetricNames.circuitBreakerState, dimensions: [("provider", "github")], factory: collector)
            .record(OAuthMetricNames.CircuitBreakerStateValue.halfOpen)
        Gauge(label: OAuthMetricNames.tokenExpiresIn, dimensions: [("provider", "github")], factory: collector)
            .record(-12.5)
        Counter(label: "undescribed_events", factory: collector).increment()
        FloatingPointCounter(label: "undescribed_weight_total", factory: collector).increment(by: 0.5)
        Recorder(label: "batch_size", factory: collector).record(7)

        let text = collector.exposition()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("telemetry-\(UUID().uuidString).prom")
        try text.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }

        let output = file.path + ".out"
        defer { try? FileManager.default.removeItem(atPath: output) }
        let status = try Subprocess.run(
            promtool.path, ["check", "metrics"], environment: ProcessInfo.processInfo.environment, outputFile: output,
            inputFile: file.path
        )
        let report = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        #expect(status == 0, "promtool said:\n\(report)\non:\n\(text)")
    }

    static func findPromtool() -> URL? {
        var directories = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        directories.append("/usr/bin")
        for directory in directories {
            let candidate = URL(fileURLWithPath: directory).appendingPathComponent("promtool")
            if FileManager.default.isExecutableFile(atPath: candidate.path) {
                return candidate
            }
        }
        return nil
    }
}
