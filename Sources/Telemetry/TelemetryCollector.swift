import CoreMetrics
import Primitives
import Synchronization

/// The in-process metrics collector: a swift-metrics backend that stores every series, samples them into
/// bounded histories and exports them in the Prometheus text format.
///
/// Inject it where metrics are made (`Counter(label:dimensions:factory:)`), or bootstrap it once in the
/// executable. The mapping from swift-metrics types:
///
/// | swift-metrics | family type | notes |
/// |---|---|---|
/// | `Counter`, `FloatingPointCounter` | counter | the family name gets `_total` appended if missing |
/// | `Gauge`, `Recorder(aggregate: false)`, `Meter` | gauge | |
/// | `Recorder(aggregate: true)` | histogram | values as recorded |
/// | `Timer` | histogram | recorded in nanoseconds, exported in seconds |
///
/// Names are sanitized to `[a-zA-Z_:][a-zA-Z0-9_:]*` (label names without `:`). The same label and
/// dimensions give the same series, so handlers may be recreated freely. A label already used by a family
/// of another type (a gauge named like a counter) gives a working handler whose values are not stored, so a
/// family never has two types.
///
/// Handlers are thread-safe; counter and gauge updates are lock-free atomics that allocate nothing, and
/// every count saturates instead of trapping on overflow.
public final class TelemetryCollector: MetricsFactory, Sendable {
    struct Family: Sendable {
        let name: String
        let type: MetricType
        let histogramUnit: HistogramSeries.Unit?
        var series: [LabelSet: any StoredSeries] = [:]
        /// The same series ordered by labels, as Prometheus's index returns them: queries read series in a
        /// stable order, so sums come out the same to the last bit on every run.
        var ordered: [any StoredSeries] = []

        mutating func insert(_ stored: any StoredSeries) {
            self.series[stored.labels] = stored
            let index = self.ordered.partitioningIndex { $0.labels >= stored.labels }
            self.ordered.insert(stored, at: index)
        }

        mutating func remove(_ labels: LabelSet) {
            self.series[labels] = nil
            self.ordered.removeAll { $0.labels == labels }
        }
    }

    struct Registry: Sendable {
        var families: [String: Family] = [:]
        var descriptions: [String: MetricDescription] = [:]
        var hooks: [@Sendable () -> Void] = []
    }

    /// The configuration the collector was made with.
    public let configuration: TelemetryConfiguration
    let registry = Mutex(Registry())

    /// Creates an empty collector.
    ///
    /// - Parameter configuration: Retention, resolution and histogram buckets.
    public init(configuration: TelemetryConfiguration = .init()) {
        self.configuration = configuration
    }

    // MARK: - MetricsFactory

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        self.counterSeries(label: label, dimensions: dimensions)
    }

    public func makeFloatingPointCounter(
        label: String,
        dimensions: [(String, String)]
    ) -> any FloatingPointCounterHandler {
        self.counterSeries(label: label, dimensions: dimensions)
    }

    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        if aggregate {
            return self.histogramSeries(label: label, dimensions: dimensions, unit: .plain)
        }
        return self.gaugeSeries(label: label, dimensions: dimensions)
    }

    public func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        self.gaugeSeries(label: label, dimensions: dimensions)
    }

    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        self.histogramSeries(label: label, dimensions: dimensions, unit: .nanosecondsAsSeconds)
    }

    public func destroyCounter(_ handler: any CounterHandler) {
        self.remove(handler as? any StoredSeries)
    }

    public func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {
        self.remove(handler as? any StoredSeries)
    }

    public func destroyRecorder(_ handler: any RecorderHandler) {
        self.remove(handler as? any StoredSeries)
    }

    public func destroyMeter(_ handler: any MeterHandler) {
        self.remove(handler as? any StoredSeries)
    }

    public func destroyTimer(_ handler: any TimerHandler) {
        self.remove(handler as? any StoredSeries)
    }

    // MARK: - Descriptions

    /// Registers the help text (and optionally the type) of a metric family.
    ///
    /// The text appears on the family's `# HELP` line; families without a description get a generic one.
    /// Describing a family again replaces its description. Describing a family before anything records
    /// into it is fine: families without series are not exported.
    ///
    /// - Parameters:
    ///   - name: The family name as exported, e.g. `oauth_refresh_attempts_total` (a counter described
    ///     without `_total` is found too).
    ///   - help: One line of help text (newlines and backslashes are escaped).
    ///   - type: The intended type, for readers of ``metricDescription(named:)``; the exported type is always
    ///     that of the recorded series.
    public func describe(_ name: String, help: String, type: MetricType? = nil) {
        let name = MetricName.sanitizeMetricName(name)
        self.registry.withLock { $0.descriptions[name] = MetricDescription(name: name, help: help, type: type) }
    }

    /// Registers the help texts of families that another layer describes (the token manager's
    /// `OAuthMetricNames.all`), so the collector itself needs no family's name.
    ///
    /// - Parameter descriptions: The families, each registered as ``describe(_:help:type:)`` does.
    public func describe(_ descriptions: some Sequence<MetricDescription>) {
        for description in descriptions {
            self.describe(description.name, help: description.help, type: description.type)
        }
    }

    /// The description of a family, with the type of its recorded series when there are any.
    ///
    /// - Parameter name: The family name as exported.
    /// - Returns: The description, or `nil` when the family was neither described nor recorded.
    public func metricDescription(named name: String) -> MetricDescription? {
        self.registry.withLock { registry in
            let described = Self.description(of: name, in: registry)
            guard let family = registry.families[name] else { return described }
            return MetricDescription(
                name: name,
                help: described?.help ?? Self.genericHelp,
                type: family.type
            )
        }
    }

    static let genericHelp = "Recorded through swift-metrics; no description registered."

    static func description(of family: String, in registry: Registry) -> MetricDescription? {
        if let description = registry.descriptions[family] {
            return description
        }
        if family.hasSuffix("_total") {
            return registry.descriptions[String(family.dropLast("_total".count))]
        }
        return nil
    }

    // MARK: - Sampling

    /// Registers a function run at the start of every ``sample(at:)``, before values are read.
    ///
    /// Use it to update gauges that are computed rather than recorded, such as the seconds until a token
    /// expires. Hooks run outside the collector's locks, so they may create and update metrics.
    ///
    /// - Parameter hook: The function; it must be quick and must not call ``sample(at:)``.
    public func addSampleHook(_ hook: @escaping @Sendable () -> Void) {
        self.registry.withLock { $0.hooks.append(hook) }
    }

    /// Appends the current value of every series to its history, after running the sample hooks.
    ///
    /// Counters and gauges store one value, histograms one per cumulative bucket plus `_sum` and `_count`.
    /// Each history keeps ``TelemetryConfiguration/sampleCapacity`` samples, dropping the oldest. A timestamp
    /// not after a series' newest sample is ignored for that series, so histories stay sorted.
    ///
    /// - Parameter timestampMilliseconds: The sample time, in milliseconds since the Unix epoch.
    public func sample(at timestampMilliseconds: Int64) {
        let hooks = self.registry.withLock { $0.hooks }
        for hook in hooks {
            hook()
        }
        for series in self.allSeries() {
            series.sample(at: timestampMilliseconds)
        }
    }

    /// How much the sampled histories hold.
    public func storageStatistics() -> TelemetryStorageStatistics {
        var statistics = TelemetryStorageStatistics()
        for series in self.allSeries() {
            series.history.ring.withLock { ring in
                statistics.series += 1
                statistics.samples += ring.count * ring.channelCount
                statistics.bytes += ring.usedBytes
                statistics.reservedBytes += ring.reservedBytes
            }
        }
        return statistics
    }

    // MARK: - Series registry

    func allSeries() -> [any StoredSeries] {
        self.registry.withLock { registry in
            registry.families.values.flatMap { $0.series.values }
        }
    }

    private func counterSeries(label: String, dimensions: [(String, String)]) -> CounterSeries {
        let family = MetricName.counterFamilyName(label)
        let labels = LabelSet(dimensions: dimensions)
        let capacity = self.configuration.sampleCapacity
        return self.series(family: family, type: .counter, unit: nil, labels: labels) {
            CounterSeries(family: family, labels: labels, capacity: capacity)
        }
    }

    private func gaugeSeries(label: String, dimensions: [(String, String)]) -> GaugeSeries {
        let family = MetricName.sanitizeMetricName(label)
        let labels = LabelSet(dimensions: dimensions)
        let capacity = self.configuration.sampleCapacity
        return self.series(family: family, type: .gauge, unit: nil, labels: labels) {
            GaugeSeries(family: family, labels: labels, capacity: capacity)
        }
    }

    private func histogramSeries(
        label: String,
        dimensions: [(String, String)],
        unit: HistogramSeries.Unit
    ) -> HistogramSeries {
        let family = MetricName.sanitizeMetricName(label)
        let labels = LabelSet(dimensions: dimensions, reserved: ["le"])
        let bounds = self.configuration.buckets(forFamily: family)
        let digits = self.configuration.quantileSignificantDigits
        let capacity = self.configuration.sampleCapacity
        return self.series(family: family, type: .histogram, unit: unit, labels: labels) {
            HistogramSeries(
                family: family,
                labels: labels,
                unit: unit,
                upperBounds: bounds,
                significantDigits: digits,
                capacity: capacity
            )
        }
    }

    /// The registered series for a family and label set, created on first use. A family of another type or
    /// unit gets a detached series, so the exported family keeps one type.
    private func series<Series: StoredSeries>(
        family name: String,
        type: MetricType,
        unit: HistogramSeries.Unit?,
        labels: LabelSet,
        make: () -> Series
    ) -> Series {
        self.registry.withLock { registry in
            guard var family = registry.families[name] ?? Self.newFamily(name, type, unit, in: registry) else {
                return make()
            }
            guard family.type == type, family.histogramUnit == unit else {
                return make()
            }
            if let existing = family.series[labels] as? Series {
                return existing
            }
            let created = make()
            family.insert(created)
            registry.families[name] = family
            return created
        }
    }

    static let histogramSuffixes = ["_bucket", "_sum", "_count"]

    /// A new family, or `nil` when its sample names would clash with another family's: a histogram `h`
    /// exports `h_bucket`, `h_sum` and `h_count`, so no other family may be named so.
    private static func newFamily(
        _ name: String,
        _ type: MetricType,
        _ unit: HistogramSeries.Unit?,
        in registry: Registry
    ) -> Family? {
        if type == .histogram {
            for suffix in Self.histogramSuffixes where registry.families[name + suffix] != nil {
                return nil
            }
        } else {
            for suffix in Self.histogramSuffixes where name.hasSuffix(suffix) {
                if registry.families[String(name.dropLast(suffix.count))]?.type == .histogram {
                    return nil
                }
            }
        }
        return Family(name: name, type: type, histogramUnit: unit)
    }

    private func remove(_ series: (any StoredSeries)?) {
        guard let series else { return }
        self.registry.withLock { registry in
            guard var family = registry.families[series.family],
                let registered = family.series[series.labels], registered === series
            else { return }
            family.remove(series.labels)
            registry.families[series.family] = family.series.isEmpty ? nil : family
        }
    }
}

extension Array {
    /// The first index whose element satisfies `predicate`, for a predicate that is false then true.
    func partitioningIndex(where predicate: (Element) -> Bool) -> Int {
        var low = 0
        var high = self.count
        while low < high {
            let mid = (low + high) / 2
            if predicate(self[mid]) {
                high = mid
            } else {
                low = mid + 1
            }
        }
        return low
    }
}
