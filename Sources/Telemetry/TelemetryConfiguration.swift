/// How a ``TelemetryCollector`` stores and shapes its metrics.
///
/// The collector keeps `retention / resolution` samples per series (see ``sampleCapacity``): one sample
/// per call of ``TelemetryCollector/sample(at:)``, which ``TelemetrySamplerService`` calls every
/// ``resolution``.
public struct TelemetryConfiguration: Sendable {
    /// Prometheus' default buckets plus 30 and 60 seconds, in seconds.
    public static let defaultHistogramBuckets: [Double] = [
        0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
    ]

    /// How long samples are kept. Default: one hour.
    public var retention: Duration
    /// The time between two samples. Default: one second.
    public var resolution: Duration
    /// Upper bounds (`le`) of histogram buckets, used for every histogram family without an override.
    ///
    /// Timers are exported in seconds, so for them these are seconds. Non-finite values are dropped, the rest
    /// sorted and deduplicated; `+Inf` is always added by the exposition.
    public var histogramBuckets: [Double]
    /// Bucket overrides per histogram family name (the timer or recorder label).
    public var histogramBucketsByName: [String: [Double]]
    /// Decimal digits of precision of the HDR histogram kept per histogram series (1...5). Default: 3.
    public var quantileSignificantDigits: Int

    /// Creates a configuration.
    ///
    /// - Parameters:
    ///   - retention: How long samples are kept.
    ///   - resolution: The time between two samples.
    ///   - histogramBuckets: Default bucket upper bounds (seconds for timers).
    ///   - histogramBucketsByName: Bucket overrides per histogram family name.
    ///   - quantileSignificantDigits: Precision of the HDR histograms, clamped to 1...5.
    public init(
        retention: Duration = .seconds(3600),
        resolution: Duration = .seconds(1),
        histogramBuckets: [Double] = TelemetryConfiguration.defaultHistogramBuckets,
        histogramBucketsByName: [String: [Double]] = [:],
        quantileSignificantDigits: Int = 3
    ) {
        self.retention = retention
        self.resolution = resolution
        self.histogramBuckets = histogramBuckets
        self.histogramBucketsByName = histogramBucketsByName
        self.quantileSignificantDigits = quantileSignificantDigits
    }

    /// The number of samples kept per series: `retention / resolution`, rounded up, at least 1.
    ///
    /// A zero or negative resolution is treated as one second.
    public var sampleCapacity: Int {
        let step = self.resolution > .zero ? self.resolution : .seconds(1)
        let ratio = (self.retention / step).rounded(.up)
        guard ratio.isFinite, ratio >= 1 else { return 1 }
        return ratio >= Double(Int32.max) ? Int(Int32.max) : Int(ratio)
    }

    /// The bucket upper bounds of a histogram family: finite, sorted, without duplicates.
    func buckets(forFamily name: String) -> [Double] {
        let raw = self.histogramBucketsByName[name] ?? self.histogramBuckets
        var result: [Double] = []
        for bound in raw.filter(\.isFinite).sorted() where result.last != bound {
            result.append(bound)
        }
        return result
    }
}
