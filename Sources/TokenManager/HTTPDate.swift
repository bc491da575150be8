import Foundation
import Synchronization

/// HTTP dates (RFC 9110 §5.6.7): IMF-fixdate, and the obsolete RFC 850 and asctime forms.
public enum HTTPDate {
    /// Built once (a formatter is costly to make, and every response's `Date` is parsed); used
    /// under the lock since formatters are not safe to share between threads.
    private static let formatters = Mutex(
        (
            parsers: [
                "EEE, dd MMM yyyy HH:mm:ss zzz",
                "EEEE, dd-MMM-yy HH:mm:ss zzz",
                "EEE MMM d HH:mm:ss yyyy",
            ].map(Self.formatter),
            imfFixdate: Self.formatter("EEE, dd MMM yyyy HH:mm:ss 'GMT'")
        )
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
    /// - Returns: The instant, or `nil` when `text` is not an HTTP date (any non-ASCII character makes it
    ///   none: HTTP dates are ASCII, and Foundation's `DateFormatter` on Linux traps on some non-ASCII text,
    ///   which a provider's header must never be able to cause).
    public static func parse(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.utf8.allSatisfy({ (0x20...0x7E).contains($0) }) else { return nil }
        return self.formatters.withLock { formatters in
            for formatter in formatters.parsers {
                if let date = formatter.date(from: trimmed) { return date.timeIntervalSince1970 }
            }
            return nil
        }
    }

    /// Formats Unix seconds as an IMF-fixdate.
    public static func format(_ seconds: Double) -> String {
        self.formatters.withLock { $0.imfFixdate.string(from: Date(timeIntervalSince1970: seconds)) }
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
