/// The time range the panels show: 1m, 5m, 15m or 1h (`+` and `-` step through them).
public struct TimeRange: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The range's length in seconds.
    public let seconds: Int
    /// How the header and the help show it, e.g. `5m`.
    public let label: String

    private init(seconds: Int, label: String) {
        self.seconds = seconds
        self.label = label
    }

    public static let oneMinute = TimeRange(seconds: 60, label: "1m")
    public static let fiveMinutes = TimeRange(seconds: 300, label: "5m")
    public static let fifteenMinutes = TimeRange(seconds: 900, label: "15m")
    public static let oneHour = TimeRange(seconds: 3600, label: "1h")

    /// Every range, shortest first.
    public static let all: [TimeRange] = [.oneMinute, .fiveMinutes, .fifteenMinutes, .oneHour]

    /// The range called `label` (`1m`, `5m`, `15m`, `1h`), if any.
    public static func named(_ label: String) -> TimeRange? {
        self.all.first { $0.label == label }
    }

    /// The next longer range, or this one if it is the longest.
    public var longer: TimeRange {
        let index = Self.all.firstIndex(of: self) ?? 0
        return Self.all[min(index + 1, Self.all.count - 1)]
    }

    /// The next shorter range, or this one if it is the shortest.
    public var shorter: TimeRange {
        let index = Self.all.firstIndex(of: self) ?? 0
        return Self.all[max(index - 1, 0)]
    }

    /// The range in milliseconds.
    public var milliseconds: Int64 { Int64(self.seconds) * 1000 }

    public var description: String { self.label }

    /// Decodes a range from its label (`"5m"`).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let label = try container.decode(String.self)
        guard let range = Self.named(label) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "unknown time range '\(label)' (1m, 5m, 15m, 1h)")
        }
        self = range
    }

    /// Encodes the range as its label.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(self.label)
    }
}
