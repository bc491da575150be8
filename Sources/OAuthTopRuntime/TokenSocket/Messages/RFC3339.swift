import Foundation

/// RFC 3339 timestamps in UTC with whole seconds (`2026-12-05T21:49:13Z`), as the socket's JSON,
/// `az account get-access-token` and Kubernetes' `expirationTimestamp` write them.
public enum RFC3339 {
    /// Formats Unix nanoseconds, rounded down to the second.
    public static func format(nanoseconds: Int64) -> String {
        let seconds = nanoseconds >= 0 ? nanoseconds / 1_000_000_000 : (nanoseconds - 999_999_999) / 1_000_000_000
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02dZ",
            Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
            Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec)
        )
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
