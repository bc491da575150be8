/// Short, fixed formats for numbers on screen, written without Foundation so a frame allocates little.
public enum ValueFormat {
    /// A fraction as a percentage with one decimal: `0.985` -> `98.5%`.
    public static func percent(_ fraction: Double) -> String {
        guard fraction.isFinite else { return "-" }
        let tenths = Int((fraction * 1000).rounded())
        return "\(tenths / 10).\(abs(tenths % 10))%"
    }

    /// A number with at most one decimal, `k`/`M` for large ones: `3`, `2.5`, `12.3k`.
    public static func number(_ value: Double) -> String {
        guard value.isFinite else { return "-" }
        let magnitude = abs(value)
        if magnitude >= 1_000_000 { return self.oneDecimal(value / 1_000_000) + "M" }
        if magnitude >= 10_000 { return self.oneDecimal(value / 1000) + "k" }
        return self.oneDecimal(value)
    }

    /// A duration in seconds for latencies: `850µs`, `38ms`, `1.24s`, then as ``duration(_:)``.
    public static func latency(_ seconds: Double, ascii: Bool = false) -> String {
        guard seconds.isFinite else { return "-" }
        if seconds < 0.001 { return "\(Int((seconds * 1_000_000).rounded()))" + (ascii ? "us" : "µs") }
        if seconds < 1 { return "\(Int((seconds * 1000).rounded()))ms" }
        if seconds < 10 {
            let hundredths = Int((seconds * 100).rounded())
            let fraction = hundredths % 100
            return "\(hundredths / 100)." + (fraction < 10 ? "0" : "") + "\(fraction)s"
        }
        return self.duration(seconds)
    }

    /// A duration in seconds, two units at most: `42s`, `5m07s`, `1h02m`, `3d04h`; negative as `-5s`.
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "-" }
        // Less than a second below zero is 0s, not -0s.
        if seconds <= -1 { return "-" + self.duration(-seconds) }
        if seconds < 0 { return "0s" }
        let total = Int(seconds.rounded(.down))
        if total < 60 { return "\(total)s" }
        if total < 3600 { return "\(total / 60)m" + self.twoDigits(total % 60) + "s" }
        if total < 86400 { return "\(total / 3600)h" + self.twoDigits(total % 3600 / 60) + "m" }
        return "\(total / 86400)d" + self.twoDigits(total % 86400 / 3600) + "h"
    }

    /// A rate per second: `0.03/s`, `1.2/s`.
    public static func rate(_ perSecond: Double) -> String {
        guard perSecond.isFinite else { return "-" }
        if perSecond != 0, abs(perSecond) < 0.1 {
            let hundredths = Int((perSecond * 100).rounded())
            return "0." + self.twoDigits(abs(hundredths)) + "/s"
        }
        return self.number(perSecond) + "/s"
    }

    /// A count in a plural noun: `1 use`, `3 uses` (the singular is the noun without its final `s`).
    public static func count(_ value: Double, unit: String) -> String {
        let noun = value == 1 && unit.hasSuffix("s") ? String(unit.dropLast()) : unit
        return self.number(value) + " " + noun
    }

    /// A figure in a panel's unit: `percent` (a share), `seconds`, `per_second`, `none`, or a counted noun.
    public static func value(_ value: Double, unit: String, ascii: Bool = false) -> String {
        switch unit {
        case "percent": return self.percent(value)
        case "seconds": return abs(value) < 60 ? self.latency(value, ascii: ascii) : self.duration(value)
        case "per_second": return self.rate(value)
        case "none", "": return self.number(value)
        default: return self.count(value, unit: unit)
        }
    }

    /// A wall-clock time of day, `HH:MM:SS`, for Unix nanoseconds shifted by an offset from UTC.
    public static func clock(_ unixNanoseconds: Int64, utcOffsetSeconds: Int = 0) -> String {
        let seconds = Int(unixNanoseconds / 1_000_000_000) + utcOffsetSeconds
        let day = ((seconds % 86400) + 86400) % 86400
        return self.twoDigits(day / 3600) + ":" + self.twoDigits(day % 3600 / 60) + ":" + self.twoDigits(day % 60)
    }

    private static func oneDecimal(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        if tenths % 10 == 0 { return "\(tenths / 10)" }
        let sign = tenths < 0 && tenths / 10 == 0 ? "-" : ""
        return sign + "\(tenths / 10).\(abs(tenths % 10))"
    }

    private static func twoDigits(_ value: Int) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}
