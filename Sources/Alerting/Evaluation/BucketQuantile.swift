/// `histogram_quantile` over classic `le` buckets, as Prometheus's `bucketQuantile` computes it.
enum BucketQuantile {
    private struct Bucket {
        var upperBound: Double
        var count: Double
    }

    static func histogramQuantile(_ q: Double, _ elements: [VectorElement]) -> [VectorElement] {
        var groups: [Labels: [Bucket]] = [:]
        for element in elements {
            let le = element.labels["le"]
            guard !le.isEmpty, let bound = Self.parseBound(le) else { continue }
            let key = element.labels.removing(["le", Labels.metricNameLabel])
            groups[key, default: []].append(Bucket(upperBound: bound, count: element.value))
        }
        return groups.map { labels, buckets in
            VectorElement(labels: labels, value: self.quantile(q, buckets))
        }
    }

    private static func parseBound(_ text: String) -> Double? {
        switch text.lowercased() {
        case "+inf", "inf": .infinity
        case "-inf": -.infinity
        case "nan": .nan
        default: Parser.number(text) ?? Double(text)
        }
    }

    /// Prometheus's `almost.Equal` (util/almost): a relative difference below `tolerance`, or both NaN.
    static func almostEqual(_ a: Double, _ b: Double, tolerance: Double) -> Bool {
        if a.isNaN, b.isNaN {
            return true
        }
        if a == b {
            return true
        }
        let absoluteSum = Swift.abs(a) + Swift.abs(b)
        let difference = Swift.abs(a - b)
        if a == 0 || b == 0 || absoluteSum < Double.leastNormalMagnitude {
            return difference < tolerance * Double.leastNormalMagnitude
        }
        return difference / Swift.min(absoluteSum, Double.greatestFiniteMagnitude) < tolerance
    }

    private static func quantile(_ q: Double, _ input: [Bucket]) -> Double {
        if q.isNaN {
            return .nan
        }
        if q < 0 {
            return -.infinity
        }
        if q > 1 {
            return .infinity
        }
        let sorted = input.sorted { $0.upperBound < $1.upperBound }
        guard let last = sorted.last, last.upperBound == .infinity else { return .nan }
        // Coalesce buckets with the same bound (series that differ only in a label dropped later).
        var buckets: [Bucket] = []
        for bucket in sorted {
            if let previous = buckets.last, previous.upperBound == bucket.upperBound {
                buckets[buckets.count - 1].count += bucket.count
            } else {
                buckets.append(bucket)
            }
        }
        // Counts must not decrease with the bound (scrapes of buckets are not atomic): Prometheus's
        // `ensureMonotonicAndIgnoreSmallDeltas` first ignores relative differences below 1e-12 in either
        // direction, then removes decreases.
        var previous = buckets[0].count
        for index in buckets.indices.dropFirst() {
            let current = buckets[index].count
            if current == previous {
                continue
            }
            if Self.almostEqual(previous, current, tolerance: 1e-12) || current < previous {
                buckets[index].count = previous
                continue
            }
            previous = current
        }
        guard buckets.count >= 2 else { return .nan }
        let observations = buckets[buckets.count - 1].count
        guard observations > 0 else { return .nan }
        var rank = q * observations
        var bucketIndex = buckets.count - 1
        for index in 0..<(buckets.count - 1) where buckets[index].count >= rank {
            bucketIndex = index
            break
        }
        if bucketIndex == buckets.count - 1 {
            return buckets[buckets.count - 2].upperBound
        }
        if bucketIndex == 0, buckets[0].upperBound <= 0 {
            return buckets[0].upperBound
        }
        var bucketStart = 0.0
        let bucketEnd = buckets[bucketIndex].upperBound
        var count = buckets[bucketIndex].count
        if bucketIndex > 0 {
            bucketStart = buckets[bucketIndex - 1].upperBound
            count -= buckets[bucketIndex - 1].count
            rank -= buckets[bucketIndex - 1].count
        }
        return bucketStart + (bucketEnd - bucketStart) * (rank / count)
    }
}
