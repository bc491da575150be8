/// One step of an input series: a sample, no sample, or a staleness marker.
public enum SeriesPoint: Sendable, Hashable {
    /// A sample with this value (may be infinite or NaN).
    case value(Double)
    /// No sample at this step (`_` in the notation).
    case omitted
    /// A staleness marker: the series ends here until its next sample (`stale`).
    case stale

    /// Compares NaN values as equal, so expanded notation can be compared in tests and caches.
    public static func == (lhs: SeriesPoint, rhs: SeriesPoint) -> Bool {
        switch (lhs, rhs) {
        case (.value(let left), .value(let right)):
            return left == right || (left.isNaN && right.isNaN)
        case (.omitted, .omitted), (.stale, .stale):
            return true
        default:
            return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .value(let value):
            hasher.combine(0)
            hasher.combine(value.isNaN ? Double.nan.bitPattern : (value == 0 ? 0 : value.bitPattern))
        case .omitted:
            hasher.combine(1)
        case .stale:
            hasher.combine(2)
        }
    }
}
