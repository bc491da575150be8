import Foundation

/// Grafana's query variables, as the panels' queries use them: substituted before evaluation, so the same
/// text can be sent to a Prometheus server.
///
/// - `$__interval`: the graph's step (one graph column);
/// - `$__rate_interval`: the step, but at least four sample intervals (so `rate()` has samples to work on);
/// - `$__range`: the panel's time range.
public struct PanelVariables: Sendable, Hashable {
    /// The step in milliseconds.
    public var interval: Int64
    /// The sample interval of the data in milliseconds.
    public var resolution: Int64
    /// The time range in milliseconds.
    public var range: Int64

    public init(interval: Int64, resolution: Int64, range: Int64) {
        self.interval = interval
        self.resolution = resolution
        self.range = range
    }

    /// `$__rate_interval` as Grafana computes it: max(step + sample interval, 4 x sample interval).
    public var rateInterval: Int64 { max(self.interval + self.resolution, 4 * self.resolution) }

    /// The text with each variable written as a Prometheus duration (`5s`, `1m`, `1500ms`).
    public func substitute(_ text: String) -> String {
        guard text.contains("$__") else { return text }
        return text.replacingOccurrences(of: "$__rate_interval", with: Self.duration(self.rateInterval))
            .replacingOccurrences(of: "$__interval", with: Self.duration(self.interval))
            .replacingOccurrences(of: "$__range", with: Self.duration(self.range))
    }

    /// A duration in Prometheus's syntax, in the largest unit that divides it.
    public static func duration(_ milliseconds: Int64) -> String {
        let units: [(Int64, String)] = [(3_600_000, "h"), (60_000, "m"), (1000, "s")]
        for (size, unit) in units where milliseconds % size == 0 && milliseconds >= size {
            return "\(milliseconds / size)\(unit)"
        }
        return "\(milliseconds)ms"
    }
}
