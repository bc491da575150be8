import HTTPTypes
import Synchronization
import TokenManager

/// Collects published events (the proxy passes `manager.publish`; the tests keep them).
final class EventSink: Sendable {
    private let events = Mutex<[TokenEvent]>([])

    var publish: @Sendable (TokenEvent) -> Void { { event in self.events.withLock { $0.append(event) } } }
    var all: [TokenEvent] { self.events.withLock { $0 } }
    var kinds: [String] { self.all.map(\.kind.rawValue) }
}

/// Fixed times: 2026-12-06T09:30:00Z and offsets from it, in Unix nanoseconds.
enum QuotaTime {
    static let start: Int64 = 1_796_549_400_000_000_000

    static func at(_ offset: Duration) -> Int64 {
        start + offset.components.seconds * 1_000_000_000 + offset.components.attoseconds / 1_000_000_000
    }
}

extension HTTPFields {
    /// Fields from name-value pairs (names must be valid).
    static func pairs(_ pairs: [(String, String)]) -> HTTPFields {
        var fields = HTTPFields()
        for (name, value) in pairs { fields.append(HTTPField(name: HTTPField.Name(name)!, value: value)) }
        return fields
    }
}

/// Whether `value` is within a billionth of `expected` (fractions such as 1 − 80/100 are not exactly 0.2).
func close(_ value: Double?, _ expected: Double) -> Bool {
    guard let value else { return false }
    return abs(value - expected) < 1e-9
}
