import Foundation

/// Encoding shared by the receivers: sorted keys (stable payloads, easy to test), no escaped
/// slashes, and RFC 3339 timestamps with milliseconds in UTC as Prometheus writes them.
enum JSONPayload {
    static func encode<Value: Encodable>(_ value: Value, notifier: String) throws(NotifierError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return try encoder.encode(value)
        } catch {
            throw .encoding(notifier: notifier, reason: String(describing: type(of: error)))
        }
    }

    /// `2026-05-01T12:00:00.000Z`.
    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt))
    }

    /// The expression value as Prometheus' templates print it (`{{ $value }}`): shortest form.
    static func value(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
