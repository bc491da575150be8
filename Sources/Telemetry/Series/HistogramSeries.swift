import CoreMetrics
import Histogram
import Primitives
import Synchronization

/// A histogram series: the handler behind swift-metrics' `Timer` and `Recorder(aggregate: true)` for one
/// label set.
///
/// It keeps Prometheus `le` buckets, `_sum` and `_count` for the exposition and the sampled history, plus an
/// HDR histogram for exact quantiles. Timers record nanoseconds and are exported in seconds; the HDR
/// histogram keeps their nanoseconds with 1 µs resolution, up to one hour (longer values count as one hour).
/// Recorders keep their values as given; the HDR histogram keeps them in thousandths, clamped to
/// `0...1e12` (a negative value counts as 0 there, and exactly in the buckets and `_sum`). Counts
/// saturate at `UInt64.max`.
final class HistogramSeries: StoredSeries, RecorderHandler, TimerHandler {
    /// What the recorded numbers are, which decides how they are exported and kept in the HDR histogram.
    enum Unit: Hashable, Sendable {
        /// Timer nanoseconds, exported in seconds.
        case nanosecondsAsSeconds
        /// Recorder values, exported as they are.
        case plain

        var hdrLowestDiscernibleValue: UInt64 {
            switch self {
            case .nanosecondsAsSeconds: 1000
            case .plain: 1
            }
        }

        var hdrHighestValue: UInt64 {
            switch self {
            case .nanosecondsAsSeconds: 3_600_000_000_000
            case .plain: 1_000_000_000_000_000
            }
        }

        /// Multiplies an exported value into HDR units.
        var hdrUnitsPerValue: Double {
            switch self {
            case .nanosecondsAsSeconds: 1e9
            case .plain: 1e3
            }
        }
    }

    private struct State: Sendable {
        /// Per bucket, not cumulative; the last entry counts values above every bound.
        var bucketCounts: [UInt64]
        var sum: Double = 0
        var count: UInt64 = 0
        var hdr: Histogram<UInt64>
    }

    let family: String
    let labels: LabelSet
    let channels: [SeriesChannel]
    let history: SeriesHistory
    let unit: Unit
    /// Finite, sorted bucket upper bounds (`+Inf` is implied).
    let upperBounds: [Double]
    var type: MetricType { .histogram }

    private let state: Mutex<State>

    init(family: String, labels: LabelSet, unit: Unit, upperBounds: [Double], significantDigits: Int, capacity: Int) {
        self.family = family
        self.labels = labels
        self.unit = unit
        self.upperBounds = upperBounds
        var channels: [SeriesChannel] = []
        for bound in upperBounds {
            channels.append(
                SeriesChannel(name: family + "_bucket", labels: labels.appending("le", PrometheusFormat.value(bound)))
            )
        }
        channels.append(SeriesChannel(name: family + "_bucket", labels: labels.appending("le", "+Inf")))
        channels.append(SeriesChannel(name: family + "_sum", labels: labels.pairs))
        channels.append(SeriesChannel(name: family + "_count", labels: labels.pairs))
        self.channels = channels
        self.history = SeriesHistory(capacity: capacity, channelCount: channels.count)
        let digits = SignificantDigits(rawValue: Int8(min(max(significantDigits, 1), 5))) ?? .three
        var hdr = Histogram<UInt64>(
            lowestDiscernibleValue: unit.hdrLowestDiscernibleValue,
            highestTrackableValue: unit.hdrLowestDiscernibleValue * 2,
            numberOfSignificantValueDigits: digits
        )
        hdr.autoResize = true
        self.state = Mutex(State(bucketCounts: Array(repeating: 0, count: upperBounds.count + 1), hdr: hdr))
    }

    func recordNanoseconds(_ duration: Int64) {
        let nanoseconds = max(duration, 0)
        self.observe(Double(nanoseconds) / 1e9, hdrValue: min(UInt64(nanoseconds), self.unit.hdrHighestValue))
    }

    func record(_ value: Int64) {
        self.record(Double(value))
    }

    func record(_ value: Double) {
        guard !value.isNaN else { return }
        let scaled = value * self.unit.hdrUnitsPerValue
        let hdrValue: UInt64
        if scaled <= 0 {
            hdrValue = 0
        } else if scaled >= Double(self.unit.hdrHighestValue) {
            hdrValue = self.unit.hdrHighestValue
        } else {
            hdrValue = UInt64(scaled.rounded())
        }
        self.observe(value, hdrValue: hdrValue)
    }

    private func observe(_ value: Double, hdrValue: UInt64) {
        var index = self.upperBounds.count
        for (candidate, bound) in self.upperBounds.enumerated() where value <= bound {
            index = candidate
            break
        }
        self.state.withLock { state in
            state.bucketCounts[index] = Self.saturatingIncrement(state.bucketCounts[index])
            state.count = Self.saturatingIncrement(state.count)
            state.sum += value
            state.hdr.record(hdrValue)
        }
    }

    private static func saturatingIncrement(_ value: UInt64) -> UInt64 {
        value == .max ? .max : value + 1
    }

    /// Cumulative bucket counts (finite bounds, then `+Inf`), `_sum`, `_count`.
    func currentValues() -> [Double] {
        self.state.withLock { state in
            var values: [Double] = []
            values.reserveCapacity(state.bucketCounts.count + 2)
            var cumulative: Double = 0
            for count in state.bucketCounts {
                cumulative += Double(count)
                values.append(cumulative)
            }
            values.append(state.sum)
            values.append(Double(state.count))
            return values
        }
    }

    /// A copy of the HDR histogram (copy-on-write: cheap until the series records again).
    func hdrSnapshot() -> Histogram<UInt64> {
        self.state.withLock { $0.hdr }
    }
}
