/// A read-only view of one series' samples in a time range, without copying them.
///
/// The samples are oldest first, in at most two runs (a ring buffer wraps). A window is only valid inside
/// the closure that received it: do not keep it.
public struct SampleWindow {
    /// The number of samples.
    public let count: Int
    private let firstCount: Int
    private let firstTimestamps: UnsafePointer<Int64>?
    private let secondTimestamps: UnsafePointer<Int64>?
    private let firstValues: UnsafePointer<Double>?
    private let secondValues: UnsafePointer<Double>?
    private let stride: Int

    /// A window over contiguous arrays (one value per sample).
    ///
    /// - Parameters:
    ///   - timestamps: Milliseconds, ascending.
    ///   - values: One value per timestamp.
    public init(timestamps: UnsafeBufferPointer<Int64>, values: UnsafeBufferPointer<Double>) {
        precondition(timestamps.count == values.count, "SampleWindow: one value per timestamp")
        self.count = timestamps.count
        self.firstCount = timestamps.count
        self.firstTimestamps = timestamps.baseAddress
        self.secondTimestamps = nil
        self.firstValues = values.baseAddress
        self.secondValues = nil
        self.stride = 1
    }

    /// A window of two runs with values `stride` apart (a channel of a multi-channel ring).
    init(
        first: (timestamps: UnsafePointer<Int64>?, values: UnsafePointer<Double>?, count: Int),
        second: (timestamps: UnsafePointer<Int64>?, values: UnsafePointer<Double>?, count: Int),
        stride: Int
    ) {
        self.count = first.count + second.count
        self.firstCount = first.count
        self.firstTimestamps = first.timestamps
        self.secondTimestamps = second.timestamps
        self.firstValues = first.values
        self.secondValues = second.values
        self.stride = stride
    }

    /// The timestamp (milliseconds) of sample `index`, `0..<count`.
    @inline(__always)
    public func timestamp(_ index: Int) -> Int64 {
        index < self.firstCount
            ? self.firstTimestamps.unsafelyUnwrapped[index]
            : self.secondTimestamps.unsafelyUnwrapped[index - self.firstCount]
    }

    /// The value of sample `index`, `0..<count`.
    @inline(__always)
    public func value(_ index: Int) -> Double {
        index < self.firstCount
            ? self.firstValues.unsafelyUnwrapped[index * self.stride]
            : self.secondValues.unsafelyUnwrapped[(index - self.firstCount) * self.stride]
    }

    /// Calls `body` for each contiguous run of values, oldest first: a base pointer, the distance between
    /// consecutive values, and the number of values. For tight loops over many samples.
    @inline(__always)
    public func forEachValueRun(_ body: (_ values: UnsafePointer<Double>, _ stride: Int, _ count: Int) -> Void) {
        if self.firstCount > 0, let values = self.firstValues {
            body(values, self.stride, self.firstCount)
        }
        if self.count > self.firstCount, let values = self.secondValues {
            body(values, self.stride, self.count - self.firstCount)
        }
    }
}
