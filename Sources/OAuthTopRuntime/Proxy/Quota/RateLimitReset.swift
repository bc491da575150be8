import Primitives

/// The reset values of rate-limit headers, which vendors write in many ways: delay seconds (`30`, `0.5`), a Unix
/// time (GitHub's `x-ratelimit-reset: 1372700873`), a Go duration (OpenAI's `x-ratelimit-reset-requests: 6m0s`,
/// `20ms`), an RFC 3339 time (Anthropic's `anthropic-ratelimit-requests-reset: 2026-12-06T09:30:00Z`) or an HTTP
/// date.
enum RateLimitReset {
    /// A number at or above this is a Unix time in seconds, not a delay: a delay of 31 years (1e9 s, 2001-09-09 as a
    /// Unix time) is not a rate-limit window, and every Unix time since then is larger.
    static let unixTimeThreshold = 1e9
    /// A number at or above this is a Unix time in milliseconds (1e12 ms is 2001-09-09 too).
    static let unixMillisecondsThreshold = 1e12
    /// Longer resets are cut to this (as `Retry-After` is): a year.
    static let longest = Duration.seconds(366 * 24 * 3600)

    /// Parses a reset value into the time until the reset.
    ///
    /// - Parameters:
    ///   - text: The header's value.
    ///   - serverNow: The response's `Date` in Unix seconds, when present: absolute times are measured against it,
    ///     so a skewed local clock does not shift the reset.
    ///   - localNow: Local wall time in Unix seconds, used when the response has no `Date`.
    /// - Returns: The delay (never negative: a reset in the past is 0), or why the value is unreadable.
    static func parse(_ text: String, serverNow: Double?, localNow: Double) -> Result<Duration, RateLimitProblem> {
        self.parse(text, serverNow: { serverNow }, localNow: localNow)
    }

    /// ``parse(_:serverNow:localNow:)`` with the response's `Date` read only when the value is an absolute time:
    /// most APIs send a delay, and parsing an HTTP date on every response cost the proxy a third of its CPU.
    static func parse(
        _ text: String, serverNow: () -> Double?, localNow: Double
    ) -> Result<Duration, RateLimitProblem> {
        let trimmed = text.trimmingOWS
        guard !trimmed.isEmpty else { return .failure(.init("is empty")) }
        guard trimmed.utf8.allSatisfy({ (0x20...0x7E).contains($0) }) else {
            return .failure(.init("holds a non-ASCII or control character"))
        }
        if let number = Self.plainNumber(trimmed) {
            if number >= Self.unixMillisecondsThreshold {
                return .success(Self.until(number / 1000, serverNow: serverNow, localNow: localNow))
            }
            if number >= Self.unixTimeThreshold {
                return .success(Self.until(number, serverNow: serverNow, localNow: localNow))
            }
            return .success(Self.clamped(seconds: number))
        }
        if let seconds = Self.goDuration(trimmed) { return .success(Self.clamped(seconds: seconds)) }
        if trimmed.contains("T"), trimmed.first?.isNumber == true, let nanos = RFC3339.parse(trimmed) {
            return .success(Self.until(Double(nanos) / 1e9, serverNow: serverNow, localNow: localNow))
        }
        if let date = HTTPDate.parse(trimmed) {
            return .success(Self.until(date, serverNow: serverNow, localNow: localNow))
        }
        return .failure(.init("is no delay in seconds, Unix time, duration (6m0s), RFC 3339 or HTTP date"))
    }

    /// Digits with at most one dot (`30`, `0.5`, `1470173023.123`); no sign, exponent or `inf`.
    static func plainNumber(_ text: some StringProtocol) -> Double? {
        var dots = 0
        var digits = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: ".") {
                dots += 1
            } else if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
                digits += 1
            } else {
                return nil
            }
        }
        guard digits > 0, digits <= 30, dots <= 1 else { return nil }
        return Double(String(text)).flatMap { $0.isFinite ? $0 : nil }
    }

    /// A Go `time.Duration` string (`6m0s`, `1h30m`, `1.5s`, `20ms`, `300us`): one or more number-unit pairs, no sign.
    static func goDuration(_ text: String) -> Double? {
        let units: [(String, Double)] = [
            ("ns", 1e-9), ("us", 1e-6), ("µs", 1e-6), ("μs", 1e-6), ("ms", 1e-3),
            ("s", 1), ("m", 60), ("h", 3600),
        ]
        var rest = Substring(text)
        var total = 0.0
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !number.isEmpty, let value = Self.plainNumber(number) else { return nil }
            rest = rest.dropFirst(number.count)
            // Longest unit name first, so `ms` is not read as `m` followed by garbage.
            let longestFirst = units.sorted { $0.0.count > $1.0.count }
            guard let unit = longestFirst.first(where: { rest.hasPrefix($0.0) }) else { return nil }
            rest = rest.dropFirst(unit.0.count)
            total += value * unit.1
        }
        return total.isFinite ? total : nil
    }

    private static func until(_ time: Double, serverNow: () -> Double?, localNow: Double) -> Duration {
        Self.clamped(seconds: time - (serverNow() ?? localNow))
    }

    private static func clamped(seconds: Double) -> Duration {
        guard seconds > 0 else { return .zero }
        guard seconds < Self.longest.seconds else { return Self.longest }
        return .nanoseconds(Int64((seconds * 1e9).rounded()))
    }
}

/// Why a rate-limit header was ignored (for logs: it names the header and what was wrong, never more than a short
/// excerpt of the value).
public struct RateLimitProblem: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String

    init(_ description: String) {
        self.description = description
    }

    /// The same problem, prefixed by the header it was found in.
    func `in`(_ header: String) -> RateLimitProblem {
        RateLimitProblem("\(header): \(self.description)")
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs (HTTP's optional whitespace).
    var trimmingOWS: String {
        var view = Substring(self)
        while let first = view.first, first == " " || first == "\t" { view.removeFirst() }
        while let last = view.last, last == " " || last == "\t" { view.removeLast() }
        return String(view)
    }
}
