import Foundation
import Synchronization

/// HTTP dates (RFC 9110 §5.6.7): IMF-fixdate, and the obsolete RFC 850 and asctime forms.
public enum HTTPDate {
    /// Built once (a formatter is costly to make, and every response's `Date` is parsed); used
    /// under the lock since formatters are not safe to share between threads.
    private static let parsers = Mutex(
        [
            "EEE, dd MMM yyyy HH:mm:ss zzz",
            "EEEE, dd-MMM-yy HH:mm:ss zzz",
            "EEE MMM d HH:mm:ss yyyy",
        ].map(Self.formatter)
    )

    private static func formatter(_ format: String) -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = format
        return formatter
    }

    /// Parses an HTTP date into Unix seconds.
    ///
    /// - Returns: `nil` when `text` is in none of the three forms, or holds a non-ASCII character (HTTP
    ///   dates are ASCII, and Foundation's `DateFormatter` on Linux traps on some non-ASCII text, which a
    ///   provider's header must never be able to cause; found by the FuzzHTTPDate target).
    public static func parse(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.utf8.allSatisfy({ (0x20...0x7E).contains($0) }) else { return nil }
        return self.parsers.withLock { parsers in
            for formatter in parsers {
                if let date = formatter.date(from: trimmed) { return date.timeIntervalSince1970 }
            }
            return nil
        }
    }

    /// Formats Unix seconds (the fraction dropped) as an IMF-fixdate.
    public static func format(_ seconds: Double) -> String {
        self.format(secondsSince1970: Int64(seconds.rounded(.down)))
    }

    /// Formats a time as an IMF-fixdate (RFC 9110 §5.6.7), e.g. `Sun, 06 Nov 1994 08:49:37 GMT`.
    ///
    /// Written by hand so it depends on no locale or date formatter's configuration.
    public static func format(secondsSince1970 seconds: Int64) -> String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
        let weekday = weekdays[Int(((days % 7) + 7) % 7)]
        // Civil-from-days (Howard Hinnant's algorithm), valid for the proleptic Gregorian calendar.
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let time = "\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60))"
        return "\(weekday), \(two(day)) \(months[Int(month - 1)]) \(year) \(time) GMT"
    }

    /// Parses `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP date.
    ///
    /// - Parameters:
    ///   - value: The header value.
    ///   - serverNow: The response's `Date` in Unix seconds, when present; a date is measured
    ///     against it so clock skew does not shorten the wait.
    ///   - localNow: Local wall time in Unix seconds, used when the response has no `Date`.
    /// - Returns: How long to wait (never negative), or `nil` when the value is unreadable.
    public static func retryAfter(_ value: String, serverNow: Double?, localNow: Double) -> Duration? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Int64(trimmed) {
            return seconds >= 0 ? .seconds(min(seconds, 366 * 24 * 3600)) : nil
        }
        guard let date = self.parse(trimmed) else { return nil }
        let wait = date - (serverNow ?? localNow)
        return .milliseconds(Int64(max(0, min(wait, 366 * 24 * 3600)) * 1000))
    }
}
