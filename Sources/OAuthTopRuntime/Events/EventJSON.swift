import Foundation
import TokenManager

/// Encodes events as one JSON object per line, keys in a stable order: `ts`, `event`,
/// `provider`, `severity` (only when above info: `warning` or `critical`), then the event's own
/// fields.
public enum EventJSON {
    /// One JSON line (without the newline) for a token event.
    public static func line(for event: TokenEvent) -> String {
        var fields: [(key: String, value: TokenEvent.Value)] = []
        if !event.provider.isEmpty { fields.append(("provider", .string(event.provider))) }
        if event.severity > .info { fields.append(("severity", .string(event.severity.rawValue))) }
        fields += event.fields
        return self.line(event: event.kind.rawValue, timestamp: event.timestamp, fields: fields)
    }

    /// One JSON line (without the newline) for an alert event.
    public static func line(for event: AlertEvent) -> String {
        var fields: [(key: String, value: TokenEvent.Value)] = []
        if !event.provider.isEmpty { fields.append(("provider", .string(event.provider))) }
        fields += event.fields
        return self.line(event: event.kind.rawValue, timestamp: event.timestamp, fields: fields)
    }

    /// One JSON line (without the newline) for either kind of event.
    public static func line(for event: RuntimeEvent) -> String {
        switch event {
        case .token(let event): self.line(for: event)
        case .alert(let event): self.line(for: event)
        }
    }

    /// One JSON line for any event of the runtime.
    public static func line(event: String, timestamp: Int64, fields: [(key: String, value: TokenEvent.Value)]) -> String {
        var out = "{\"ts\":\"\(self.timestamp(timestamp))\",\"event\":\(self.quote(event))"
        for (key, value) in fields {
            out += ",\(self.quote(key)):"
            switch value {
            case .string(let text): out += self.quote(text)
            case .int(let number): out += String(number)
            case .double(let number): out += number.isFinite ? self.number(number) : "null"
            case .bool(let flag): out += flag ? "true" : "false"
            }
        }
        return out + "}"
    }

    /// RFC 3339 UTC with milliseconds.
    static func timestamp(_ nanoseconds: Int64) -> String {
        let seconds = nanoseconds / 1_000_000_000
        let millis = (nanoseconds % 1_000_000_000) / 1_000_000
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
            Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
            Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), Int(millis)
        )
    }

    static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    /// A JSON string literal (RFC 8259 §7).
    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let s where s.value < 0x20:
                out += String(format: "\\u%04x", s.value)
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
