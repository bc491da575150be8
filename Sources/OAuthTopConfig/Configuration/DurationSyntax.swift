/// The duration syntax of oauthtop's files: `500ms`, `15s`, `2m`, `1h`, `1m30s`, `1.5s`, `0`.
///
/// A duration is one or more `NUMBER UNIT` parts, units `ms`, `s`, `m`, `h`; a number may have
/// a decimal fraction. Values are kept to the nanosecond. Negative durations are rejected.
public enum DurationSyntax {
    /// What a user should write, for error messages.
    public static let expectation = "a duration like 500ms, 15s, 2m, 1h"

    /// Why a text is not a duration.
    public struct Problem: Error, Sendable, Hashable, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    /// Parses `text` into a duration.
    ///
    /// - Throws: `Problem` saying why `text` is not a non-negative duration.
    public static func parse(_ text: String) throws(Problem) -> Duration {
        let trimmed = text.trimmingSpaces
        if trimmed == "0" { return .zero }
        if trimmed.hasPrefix("-") {
            throw Problem(description: "a duration cannot be negative, found '\(trimmed)'")
        }
        if !trimmed.isEmpty, trimmed.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }) {
            throw Problem(
                description: "expected \(self.expectation), found '\(trimmed)' (add a unit, e.g. \(trimmed)s)"
            )
        }
        let malformed = Problem(description: "expected \(self.expectation), found '\(trimmed)'")
        var nanoseconds: Int64 = 0
        var rest = Substring(trimmed)
        if rest.isEmpty { throw malformed }
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix { $0.isASCII && $0.isLetter }
            rest = rest.dropFirst(unit.count)
            guard let multiplier = self.nanosecondsPerUnit[String(unit)],
                let part = self.nanoseconds(number, multiplier: multiplier)
            else { throw malformed }
            let (sum, overflow) = nanoseconds.addingReportingOverflow(part)
            if overflow { throw malformed }
            nanoseconds = sum
        }
        return .nanoseconds(nanoseconds)
    }

    /// Formats a duration the way a user would write it (`1m30s`, `500ms`, `0s`).
    public static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        var text = ""
        var rest = seconds
        for (unit, size) in [("h", Int64(3600)), ("m", 60)] where rest >= size {
            text += "\(rest / size)\(unit)"
            rest %= size
        }
        let milliseconds = attoseconds / 1_000_000_000_000_000
        if rest > 0 || (text.isEmpty && milliseconds == 0) { text += "\(rest)s" }
        if milliseconds > 0 { text += "\(milliseconds)ms" }
        return text
    }

    private static let nanosecondsPerUnit: [String: Int64] = [
        "ms": 1_000_000, "s": 1_000_000_000, "m": 60_000_000_000, "h": 3_600_000_000_000,
    ]

    /// `number` (digits, optionally one `.` and more digits) times `multiplier`, exactly.
    private static func nanoseconds(_ number: Substring, multiplier: Int64) -> Int64? {
        let parts = number.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = parts.first, !whole.isEmpty, whole.count <= 12,
            let wholeValue = Int64(whole)
        else { return nil }
        var (total, overflow) = wholeValue.multipliedReportingOverflow(by: multiplier)
        if overflow { return nil }
        if parts.count == 2 {
            let fraction = parts[1]
            guard !fraction.isEmpty, fraction.allSatisfy(\.isNumber) else { return nil }
            var scale = multiplier
            for digit in fraction.prefix(12) {
                scale /= 10
                guard let value = digit.wholeNumberValue else { return nil }
                (total, overflow) = total.addingReportingOverflow(Int64(value) * scale)
                if overflow { return nil }
            }
        }
        return total
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        return String(self.drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }
}
