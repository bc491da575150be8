/// Prometheus' `histogram_quantile` over cumulative bucket counts.
public enum HistogramQuantile {
    /// The `q` quantile of a histogram given as cumulative counts per upper bound.
    ///
    /// As Prometheus computes it: find the bucket where the rank `q * count` falls and interpolate linearly
    /// within it (from 0 for the first bucket when its bound is positive). A rank in the `+Inf` bucket answers
    /// the highest finite bound. Counts that decrease with the bound (possible when buckets are read at slightly
    /// different times) are raised to keep them monotonic.
    ///
    /// - Parameters:
    ///   - q: The quantile in `0...1`.
    ///   - buckets: Upper bounds (`.infinity` for `+Inf`) and cumulative counts, in any order.
    /// - Returns: The value, or `nil` with no `+Inf` bucket, fewer than two buckets, no observations, or `q`
    ///   outside `0...1`.
    public static func quantile(_ q: Double, buckets: [(upperBound: Double, count: Double)]) -> Double? {
        guard q >= 0, q <= 1, buckets.count >= 2 else { return nil }
        var sorted = buckets.sorted { $0.upperBound < $1.upperBound }
        guard let last = sorted.last, last.upperBound == .infinity else { return nil }
        for index in sorted.indices.dropFirst() where sorted[index].count < sorted[index - 1].count {
            sorted[index].count = sorted[index - 1].count
        }
        let total = sorted[sorted.count - 1].count
        guard total > 0 else { return nil }
        let rank = q * total
        let bucket = sorted.firstIndex { $0.count >= rank } ?? sorted.count - 1
        if bucket == sorted.count - 1 { return sorted[sorted.count - 2].upperBound }
        if bucket == 0, sorted[0].upperBound <= 0 { return sorted[0].upperBound }
        let start = bucket == 0 ? 0 : sorted[bucket - 1].upperBound
        let below = bucket == 0 ? 0 : sorted[bucket - 1].count
        let inBucket = sorted[bucket].count - below
        guard inBucket > 0 else { return sorted[bucket].upperBound }
        return start + (sorted[bucket].upperBound - start) * ((rank - below) / inBucket)
    }
}
