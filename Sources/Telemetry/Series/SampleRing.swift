/// A bounded history of samples for one series with one or more channels.
///
/// Storage is two flat arrays: one `Int64` timestamp per sample, shared by the channels of the series (a
/// histogram's buckets, `_sum` and `_count`), and `channelCount` `Double`s per sample, laid out sample-major.
/// A counter or gauge sample costs 16 bytes; a histogram sample costs `8 + 8 / channelCount` bytes per
/// channel. The arrays grow up to `capacity` samples and are then overwritten oldest first.
struct SampleRing: Sendable {
    let capacity: Int
    let channelCount: Int
    private var timestamps: [Int64] = []
    private var values: [Double] = []
    /// Physical slot of the oldest sample.
    private var start = 0

    init(capacity: Int, channelCount: Int) {
        self.capacity = max(1, capacity)
        self.channelCount = max(1, channelCount)
    }

    /// The number of samples stored.
    var count: Int { self.timestamps.count }

    /// The timestamp of the newest sample.
    var lastTimestamp: Int64? {
        guard !self.timestamps.isEmpty else { return nil }
        return self.timestamps[self.slot(self.count - 1)]
    }

    /// Appends one sample; `values` holds one value per channel.
    ///
    /// A timestamp not after the newest stored one is ignored, as a Prometheus TSDB rejects out-of-order
    /// samples, so the history stays sorted.
    mutating func append(timestamp: Int64, values newValues: UnsafeBufferPointer<Double>) {
        precondition(newValues.count == self.channelCount, "SampleRing: one value per channel")
        if let last = self.lastTimestamp, timestamp <= last {
            return
        }
        if self.timestamps.count < self.capacity {
            if self.timestamps.count == self.timestamps.capacity {
                // Grow by doubling but never past the ring's capacity, so a full ring wastes no space.
                let target = min(self.capacity, max(64, self.timestamps.count * 2))
                self.timestamps.reserveCapacity(target)
                self.values.reserveCapacity(target * self.channelCount)
            }
            self.timestamps.append(timestamp)
            self.values.append(contentsOf: newValues)
            return
        }
        let slot = self.start
        self.timestamps[slot] = timestamp
        let base = slot * self.channelCount
        for channel in 0..<self.channelCount {
            self.values[base + channel] = newValues[channel]
        }
        self.start = (self.start + 1) % self.capacity
    }

    /// Appends one sample of a single-channel series.
    mutating func append(timestamp: Int64, value: Double) {
        withUnsafePointer(to: value) { pointer in
            self.append(timestamp: timestamp, values: UnsafeBufferPointer(start: pointer, count: 1))
        }
    }

    /// The samples of one channel, oldest first, restricted to `range` (inclusive) when given.
    func samples(channel: Int, in range: ClosedRange<Int64>?) -> [Sample] {
        guard channel >= 0, channel < self.channelCount, !self.timestamps.isEmpty else { return [] }
        var logical = 0
        var end = self.count
        if let range {
            logical = self.firstLogicalIndex(notBefore: range.lowerBound)
            end = self.firstLogicalIndex(after: range.upperBound)
        }
        guard logical < end else { return [] }
        var result: [Sample] = []
        result.reserveCapacity(end - logical)
        while logical < end {
            let slot = self.slot(logical)
            let value = self.values[slot * self.channelCount + channel]
            result.append(Sample(timestamp: self.timestamps[slot], value: value))
            logical += 1
        }
        return result
    }

    /// Calls `body` with a view of one channel's samples in `range` (inclusive), without copying them.
    func withWindow<Result>(
        channel: Int,
        in range: ClosedRange<Int64>,
        _ body: (SampleWindow) throws -> Result
    ) rethrows -> Result {
        let lower = self.firstLogicalIndex(notBefore: range.lowerBound)
        let upper = max(lower, self.firstLogicalIndex(after: range.upperBound))
        let count = upper - lower
        return try self.timestamps.withUnsafeBufferPointer { timestamps in
            try self.values.withUnsafeBufferPointer { values in
                guard count > 0, channel >= 0, channel < self.channelCount,
                    let timeBase = timestamps.baseAddress, let valueBase = values.baseAddress
                else {
                    return try body(SampleWindow(first: (nil, nil, 0), second: (nil, nil, 0), stride: 1))
                }
                let firstSlot = self.slot(lower)
                // Samples up to the physical end of the arrays, then from slot 0 when the ring wraps.
                let firstCount = min(count, timestamps.count - firstSlot)
                let window = SampleWindow(
                    first: (timeBase + firstSlot, valueBase + firstSlot * self.channelCount + channel, firstCount),
                    second: (timeBase, valueBase + channel, count - firstCount),
                    stride: self.channelCount
                )
                return try body(window)
            }
        }
    }

    /// Bytes used by the stored samples.
    var usedBytes: Int {
        self.timestamps.count * MemoryLayout<Int64>.stride + self.values.count * MemoryLayout<Double>.stride
    }

    /// Bytes reserved by the sample arrays (their capacity, not only the used part).
    var reservedBytes: Int {
        self.timestamps.capacity * MemoryLayout<Int64>.stride + self.values.capacity * MemoryLayout<Double>.stride
    }

    private func slot(_ logical: Int) -> Int {
        (self.start + logical) % self.capacity
    }

    /// The first logical index whose timestamp is >= `timestamp` (binary search: timestamps are sorted).
    private func firstLogicalIndex(notBefore timestamp: Int64) -> Int {
        var low = 0
        var high = self.count
        while low < high {
            let mid = (low + high) / 2
            if self.timestamps[self.slot(mid)] < timestamp {
                low = mid + 1
            } else {
                high = mid
            }
        }
        return low
    }

    /// The first logical index whose timestamp is > `timestamp`.
    private func firstLogicalIndex(after timestamp: Int64) -> Int {
        timestamp == .max ? self.count : self.firstLogicalIndex(notBefore: timestamp + 1)
    }
}
