/// How much a ``TelemetryCollector``'s sampled histories hold.
public struct TelemetryStorageStatistics: Hashable, Sendable {
    /// Registered series (a histogram series counts once).
    public var series = 0
    /// Stored values, over every channel (a histogram's buckets, `_sum` and `_count` each count).
    public var samples = 0
    /// Bytes used by the stored samples: 16 per counter or gauge sample, `8 + 8 × channels` per histogram
    /// sample.
    public var bytes = 0
    /// Bytes reserved by the sample arrays (at least ``bytes``; arrays grow by doubling up to the capacity).
    public var reservedBytes = 0

    /// Creates empty statistics.
    public init() {}
}
