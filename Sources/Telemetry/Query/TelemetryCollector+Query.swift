import Histogram

extension TelemetryCollector {
    /// The stored time series with a sample name, optionally filtered by labels and a time range.
    ///
    /// Sample names are the exported ones: a counter's `_total` name, a gauge's name, a histogram's
    /// `_bucket` (one series per `le`), `_sum` and `_count`. Results are ordered by labels, buckets by
    /// ascending `le`.
    ///
    /// - Parameters:
    ///   - name: The sample name.
    ///   - labels: Equality matchers: a series matches when each named label has the given value; an empty
    ///     value matches a series without that label, as in PromQL.
    ///   - range: Inclusive bounds in milliseconds since the epoch; `nil` returns the whole history. A
    ///     left-open PromQL window `(t-r, t]` is `(t - r + 1)...t`.
    /// - Returns: One snapshot per matching series, possibly with no samples yet.
    public func series(
        named name: String,
        matching labels: [String: String] = [:],
        in range: ClosedRange<Int64>? = nil
    ) -> [SeriesSnapshot] {
        self.matchingChannels(named: name, matching: labels).map { series, channel in
            let samples = series.history.ring.withLock { $0.samples(channel: channel, in: range) }
            return SeriesSnapshot(name: name, labelPairs: series.channels[channel].labels, samples: samples)
        }
    }

    /// Calls `body` for every stored series with a sample name, with a view of its samples in `range`
    /// (inclusive, milliseconds), without copying them. The rule evaluator reads history this way.
    ///
    /// The series' history is locked while `body` runs: keep it short and do not call back into the
    /// collector.
    ///
    /// - Parameters:
    ///   - name: The sample name (as in ``series(named:matching:in:)``).
    ///   - range: Inclusive bounds in milliseconds since the epoch.
    ///   - body: Receives the labels (in exposition order, `le` last for buckets) and the samples.
    public func forEachSeries(
        named name: String,
        in range: ClosedRange<Int64>,
        _ body: (_ labels: [LabelPair], _ samples: SampleWindow) throws -> Void
    ) rethrows {
        // Series in label order (kept sorted on insert), read in place: the evaluator reads every series of a
        // name on each round.
        for family in self.candidateFamilies(named: name) {
            for series in family {
                for (channel, exported) in series.channels.enumerated() where exported.name == name {
                    try series.history.ring.withLock { ring in
                        try ring.withWindow(channel: channel, in: range) { window in
                            try body(exported.labels, window)
                        }
                    }
                }
            }
        }
    }

    /// Whether any series has this sample name.
    public func hasSeries(named name: String) -> Bool {
        self.candidateFamilies(named: name).contains { family in
            family.contains { series in series.channels.contains { $0.name == name } }
        }
    }

    /// The series of the families a sample name can belong to (a histogram's `_bucket`, `_sum`, `_count`).
    private func candidateFamilies(named name: String) -> [[any StoredSeries]] {
        var families = [name]
        for suffix in Self.histogramSuffixes where name.hasSuffix(suffix) {
            families.append(String(name.dropLast(suffix.count)))
        }
        return self.registry.withLock { registry in
            families.compactMap { registry.families[$0]?.ordered }
        }
    }

    /// The live value of one series (not the last sample), with exactly these labels.
    ///
    /// - Parameters:
    ///   - name: The sample name (as in ``series(named:matching:in:)``).
    ///   - labels: The series' complete label set (`le` included for a bucket).
    /// - Returns: The value, or `nil` when no series has this name and label set.
    public func currentValue(name: String, labels: [String: String] = [:]) -> Double? {
        let wanted = LabelSet(labels)
        for (series, channel) in self.matchingChannels(named: name, matching: labels)
        where series.channels[channel].labels.sorted() == wanted.pairs {
            return series.currentValues()[channel]
        }
        return nil
    }

    /// Every sample name that has at least one series, sorted.
    public func metricNames() -> [String] {
        var names: Set<String> = []
        for series in self.allSeries() {
            for channel in series.channels {
                names.insert(channel.name)
            }
        }
        return names.sorted()
    }

    /// A quantile of a histogram family from its HDR histograms, merged across the matching series.
    ///
    /// Exact to the HDR precision (3 significant digits by default) over everything recorded since the
    /// series were made, unlike `histogram_quantile` over buckets.
    ///
    /// - Parameters:
    ///   - q: The quantile, in `0...1` (0.99 for p99).
    ///   - name: The histogram family name (a `_bucket` name is accepted too).
    ///   - labels: Equality matchers as in ``series(named:matching:in:)``.
    /// - Returns: The value, in seconds for timers; `nil` when `q` is outside `0...1`, no histogram series
    ///   matches, or nothing was recorded.
    public func quantile(_ q: Double, name: String, labels: [String: String] = [:]) -> Double? {
        guard q >= 0, q <= 1 else { return nil }
        let family = name.hasSuffix("_bucket") ? String(name.dropLast("_bucket".count)) : name
        let candidates = self.registry.withLock { registry in
            registry.families[family].map { Array($0.series.values) } ?? []
        }
        var merged: Histogram<UInt64>?
        var unit: HistogramSeries.Unit?
        for case let series as HistogramSeries in candidates where Self.matches(series.labels.pairs, labels) {
            let snapshot = series.hdrSnapshot()
            unit = series.unit
            if merged == nil {
                merged = snapshot
            } else {
                merged?.add(snapshot)
            }
        }
        guard let merged, let unit, merged.totalCount > 0 else { return nil }
        return Double(merged.valueAtPercentile(q * 100)) / unit.hdrUnitsPerValue
    }

    /// The (series, channel index) pairs whose sample name and labels match, ordered by labels.
    private func matchingChannels(
        named name: String,
        matching labels: [String: String]
    ) -> [(any StoredSeries, Int)] {
        var result: [(any StoredSeries, Int)] = []
        // Each family's series are kept in label order.
        for series in self.candidateFamilies(named: name).joined() {
            for (index, channel) in series.channels.enumerated()
            where channel.name == name && Self.matches(channel.labels, labels) {
                result.append((series, index))
            }
        }
        return result
    }

    private static func matches(_ pairs: [LabelPair], _ matchers: [String: String]) -> Bool {
        for (name, value) in matchers {
            let actual = pairs.first { $0.name == name }?.value ?? ""
            if actual != value {
                return false
            }
        }
        return true
    }
}
