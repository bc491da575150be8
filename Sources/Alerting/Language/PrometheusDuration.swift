/// Durations as Prometheus writes them: one or more `NUMBER UNIT` parts, units in descending order, each
/// at most once: `y` (365 days), `w`, `d`, `h`, `m`, `s`, `ms`. Examples: `5m`, `1h30m`, `90s`, `1d`, `0s`.
///
/// Used by range selectors (`[5m]`), `offset`, rule `for:`/`keep_firing_for:` and rule test files.
public enum PrometheusDuration {
    private static let units: [(suffix: String, milliseconds: Int64)] = [
        ("y", 365 * 24 * 3_600_000), ("w", 7 * 24 * 3_600_000), ("d", 24 * 3_600_000), ("h", 3_600_000),
        ("m", 60_000), ("s", 1_000), ("ms", 1),
    ]

    /// Parses a duration.
    ///
    /// - Parameter text: The duration, e.g. `1h30m`.
    /// - Returns: Milliseconds, or `nil` when `text` is not a Prometheus duration (empty, a unit missing,
    ///   units out of order or repeated, a value that overflows).
    public static func milliseconds(_ text: some StringProtocol) -> Int64? {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return nil }
        if bytes == Array("0".utf8) {
            return 0
        }
        var index = 0
        var total: Int64 = 0
        var lastUnitRank = -1
        while index < bytes.count {
            var number: Int64 = 0
            let start = index
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                let (times10, overflow1) = number.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times10.addingReportingOverflow(Int64(bytes[index] - 0x30))
                guard !overflow1, !overflow2 else { return nil }
                number = sum
                index += 1
            }
            guard index > start, index < bytes.count else { return nil }
            // `ms` before `m`: the longest unit that matches.
            let rank: Int
            if bytes[index] == UInt8(ascii: "m"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "s") {
                rank = 6
                index += 2
            } else if let found = self.units.firstIndex(where: {
                $0.suffix.utf8.first == bytes[index] && $0.suffix.count == 1
            }) {
                rank = found
                index += 1
            } else {
                return nil
            }
            guard rank > lastUnitRank else { return nil }
            lastUnitRank = rank
            let (part, overflow3) = number.multipliedReportingOverflow(by: self.units[rank].milliseconds)
            let (sum, overflow4) = total.addingReportingOverflow(part)
            guard !overflow3, !overflow4 else { return nil }
            total = sum
        }
        return total
    }

    /// Formats milliseconds the way Prometheus prints a duration: `1h30m`, `5m`, `1s500ms`, `0s`.
    public static func format(milliseconds: Int64) -> String {
        guard milliseconds > 0 else { return milliseconds == 0 ? "0s" : "-" + self.format(milliseconds: -milliseconds) }
        var remaining = milliseconds
        var text = ""
        for (suffix, size) in self.units where remaining >= size {
            text += "\(remaining / size)\(suffix)"
            remaining %= size
        }
        return text
    }
}
