#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// RFC 3339 timestamps in UTC, for what oauthtop hands to other programs (a token file's `expires_at`).
public enum RFC3339 {
    /// `2026-12-05T22:10:00Z`: whole seconds (rounded down) of Unix nanoseconds, in UTC.
    public static func seconds(unixNanoseconds: Int64) -> String {
        // Rounded down, also before 1970.
        let seconds = unixNanoseconds >= 0
            ? unixNanoseconds / 1_000_000_000 : (unixNanoseconds + 1) / 1_000_000_000 - 1
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return pad(parts.tm_year + 1900, 4) + "-" + pad(parts.tm_mon + 1, 2) + "-" + pad(parts.tm_mday, 2) + "T"
            + pad(parts.tm_hour, 2) + ":" + pad(parts.tm_min, 2) + ":" + pad(parts.tm_sec, 2) + "Z"
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` into Unix nanoseconds; `nil` when malformed.
    public static func parse(_ text: String) -> Int64? {
        let style = Date.ISO8601FormatStyle(includingFractionalSeconds: text.contains("."), timeZone: .gmt)
        guard let date = try? style.parse(text) else { return nil }
        let nanos = date.timeIntervalSince1970 * 1e9
        guard nanos.isFinite, abs(nanos) < 9e18 else { return nil }
        return Int64(nanos)
    }
}
