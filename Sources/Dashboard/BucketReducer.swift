import Telemetry

/// Cuts a time range into equal buckets and reduces sampled series to one value per bucket.
///
/// Counters give their increase per bucket (counter resets handled as Prometheus does: a drop means the
/// counter restarted from 0). A bucket has a value only when two samples bound it, so nothing is shown from a
/// single sample. A counter series whose first sample is later than the first sample of the capture (it was
/// created inside the range, on its first increment) is taken to have been 0 just before, as Prometheus'
/// created-timestamp zero ingestion does; otherwise a first refresh would never count.
struct BucketReducer {
    /// Bucket boundaries in milliseconds: `count + 1` values, the first the range's start, the last now.
    let boundaries: [Int64]
    /// The earliest sample time among everything captured: series starting later were born in the range.
    var captureStart: Int64

    /// Buckets for `range` ending at `now` (milliseconds), at most one per sample interval.
    init(now: Int64, range: Int64, points: Int, resolution: Int64) {
        let count = max(1, min(points, Int(range / max(1, resolution))))
        let width = Double(range) / Double(count)
        self.boundaries = (0...count).map { now - range + Int64((Double($0) * width).rounded()) }
        self.captureStart = now - range
    }

    var count: Int { self.boundaries.count - 1 }
    var start: Int64 { self.boundaries[0] }
    var end: Int64 { self.boundaries[self.boundaries.count - 1] }
    /// The width of one bucket in seconds.
    var bucketSeconds: Double { Double(self.end - self.start) / 1000 / Double(self.count) }

    /// Index of the last sample at or before each boundary (-1 when none).
    private func boundaryIndices(_ samples: [Sample]) -> [Int] {
        var result: [Int] = []
        result.reserveCapacity(self.boundaries.count)
        var index = -1
        for boundary in self.boundaries {
            while index + 1 < samples.count, samples[index + 1].timestamp <= boundary { index += 1 }
            result.append(index)
        }
        return result
    }

    /// A counter's increase per bucket, and over the whole range.
    func increases(_ samples: [Sample]) -> (points: [Double?], total: Double?) {
        guard !samples.isEmpty else { return (Array(repeating: nil, count: self.count), nil) }
        var series = samples
        if samples[0].timestamp > self.captureStart {
            series.insert(Sample(timestamp: samples[0].timestamp - 1, value: 0), at: 0)
        }
        var adjusted = [Double](repeating: 0, count: series.count)
        for index in series.indices.dropFirst() {
            let delta = series[index].value - series[index - 1].value
            adjusted[index] = adjusted[index - 1] + (delta >= 0 ? delta : series[index].value)
        }
        let indices = self.boundaryIndices(series)
        func increase(from low: Int, to high: Int) -> Double? {
            let baseline = low >= 0 ? low : 0
            guard high > baseline else { return nil }
            return adjusted[high] - adjusted[baseline]
        }
        var points: [Double?] = []
        points.reserveCapacity(self.count)
        for bucket in 0..<self.count {
            points.append(increase(from: indices[bucket], to: indices[bucket + 1]))
        }
        return (points, increase(from: indices[0], to: indices[self.count]))
    }

    /// A gauge's last value in each bucket, and its last value in the range.
    func lastValues(_ samples: [Sample]) -> (points: [Double?], last: Double?) {
        let indices = self.boundaryIndices(samples)
        var points: [Double?] = []
        points.reserveCapacity(self.count)
        for bucket in 0..<self.count {
            let high = indices[bucket + 1]
            points.append(high > indices[bucket] && high >= 0 ? samples[high].value : nil)
        }
        let last = indices[self.count]
        return (points, last >= 0 && samples[last].timestamp > self.start ? samples[last].value : nil)
    }

    /// Adds series point by point: `nil` where every series is `nil`.
    static func sum(_ series: [[Double?]], count: Int) -> [Double?] {
        (0..<count).map { bucket in
            var total: Double?
            for points in series where bucket < points.count {
                if let value = points[bucket] { total = (total ?? 0) + value }
            }
            return total
        }
    }

    /// Adds optional totals: `nil` when all are `nil`.
    static func sum(_ values: [Double?]) -> Double? {
        values.reduce(nil) { total, value in value.map { (total ?? 0) + $0 } ?? total }
    }
}
