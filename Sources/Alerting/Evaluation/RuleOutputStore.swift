import Telemetry

/// Where rule results are written: recording rules' series and `ALERTS`. An in-memory store that forgets
/// samples older than its retention.
public typealias RuleOutputStore = InMemorySeriesStore

/// Several sources read as one (the Telemetry collector and the rule output, at run time).
public struct CombinedSeriesSource: SeriesSource {
    public let sources: [any SeriesSource]

    public init(_ sources: [any SeriesSource]) {
        self.sources = sources
    }

    public func metricNames() -> [String] {
        Array(Set(self.sources.flatMap { $0.metricNames() })).sorted()
    }

    public func hasSeries(named name: String) -> Bool {
        self.sources.contains { $0.hasSeries(named: name) }
    }

    public func forEachSeries(
        named name: String,
        in range: ClosedRange<Int64>,
        _ body: (_ labels: [LabelPair], _ samples: SampleWindow) throws -> Void
    ) rethrows {
        for source in self.sources {
            try source.forEachSeries(named: name, in: range, body)
        }
    }
}
