/// The functions of the rule language, with their argument and result types.
enum Function: String, Sendable, Hashable, CaseIterable {
    // Range functions over counters and gauges.
    case rate, irate, increase, delta, idelta, resets, changes
    case avgOverTime = "avg_over_time", minOverTime = "min_over_time", maxOverTime = "max_over_time"
    case sumOverTime = "sum_over_time", countOverTime = "count_over_time", lastOverTime = "last_over_time"
    case presentOverTime = "present_over_time", absentOverTime = "absent_over_time"
    case stddevOverTime = "stddev_over_time", stdvarOverTime = "stdvar_over_time"
    case quantileOverTime = "quantile_over_time"
    case deriv, predictLinear = "predict_linear"
    // Instant-vector functions.
    case histogramQuantile = "histogram_quantile"
    case abs, ceil, floor, exp, ln, log2, log10, sqrt, round, sgn
    case clamp, clampMin = "clamp_min", clampMax = "clamp_max"
    case absent, scalar, vector, time
    case labelReplace = "label_replace", labelJoin = "label_join"

    /// The argument types; trailing entries from ``requiredArguments`` on are optional.
    var argumentTypes: [ValueType] {
        switch self {
        case .rate, .irate, .increase, .delta, .idelta, .resets, .changes, .avgOverTime, .minOverTime, .maxOverTime,
            .sumOverTime, .countOverTime, .lastOverTime, .presentOverTime, .absentOverTime, .stddevOverTime,
            .stdvarOverTime, .deriv:
            [.matrix]
        case .quantileOverTime: [.scalar, .matrix]
        case .predictLinear: [.matrix, .scalar]
        case .labelReplace: [.vector, .string, .string, .string, .string]
        case .labelJoin: [.vector, .string, .string, .string]
        case .histogramQuantile: [.scalar, .vector]
        case .abs, .ceil, .floor, .exp, .ln, .log2, .log10, .sqrt, .sgn, .absent, .scalar: [.vector]
        case .round: [.vector, .scalar]
        case .clamp: [.vector, .scalar, .scalar]
        case .clampMin, .clampMax: [.vector, .scalar]
        case .vector: [.scalar]
        case .time: []
        }
    }

    var requiredArguments: Int {
        switch self {
        case .round: 1
        case .labelJoin: 3
        default: self.argumentTypes.count
        }
    }

    /// Whether the last argument type may repeat (`label_join`'s source labels).
    var isVariadic: Bool { self == .labelJoin }

    var returnType: ValueType {
        switch self {
        case .scalar, .time: .scalar
        default: .vector
        }
    }

    /// Whether the result keeps the input's metric name (most functions drop it, as in Prometheus).
    var keepsMetricName: Bool {
        self == .lastOverTime
    }

    /// Where the range argument is (`quantile_over_time` has the quantile first).
    var rangeArgumentIndex: Int { self == .quantileOverTime ? 1 : 0 }

    /// Whether the function reads a range of samples per series.
    var isRangeFunction: Bool { self.argumentTypes.contains(.matrix) }

    /// Functions that treat the range as a counter (resets add back the value before the reset).
    var isCounterFunction: Bool { self == .rate || self == .increase || self == .irate || self == .resets }
}
