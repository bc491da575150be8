extension GoFloatFormat {
    /// Go's `strconv.FormatFloat(value, 'f', -1, 64)`: the shortest digits that round-trip, never with an
    /// exponent (`0.000001`, `1000000000000000000000`), and `NaN`, `+Inf`, `-Inf`. Prometheus's HTTP API writes
    /// sample values this way.
    public static func fixed(_ value: Double) -> String {
        if let special = self.special(value) { return special }
        let (negative, digits, exponent) = self.decompose(value)
        let sign = negative ? "-" : ""
        if exponent < 0 {
            return sign + "0." + String(repeating: "0", count: -exponent - 1) + digits
        }
        if digits.count <= exponent + 1 {
            return sign + digits + String(repeating: "0", count: exponent + 1 - digits.count)
        }
        let split = digits.index(digits.startIndex, offsetBy: exponent + 1)
        return sign + digits[..<split] + "." + digits[split...]
    }

    /// Go's `strconv.FormatFloat(value, 'e', -1, 64)`: `1e+00`, `2.5e-01`, `-1.234e+06`, `NaN`, `+Inf`. An alert's
    /// `value` in Prometheus's `/api/v1/alerts` is written this way.
    public static func exponential(_ value: Double) -> String {
        if value == 0 { return value.sign == .minus ? "-0e+00" : "0e+00" }
        if let special = self.special(value) { return special }
        let (negative, digits, exponent) = self.decompose(value)
        var mantissa = String(digits.prefix(1))
        if digits.count > 1 { mantissa += "." + digits.dropFirst() }
        let magnitude = String(exponent.magnitude)
        let padded = magnitude.count < 2 ? "0" + magnitude : magnitude
        return (negative ? "-" : "") + mantissa + (exponent < 0 ? "e-" : "e+") + padded
    }

    private static func special(_ value: Double) -> String? {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == 0 { return value.sign == .minus ? "-0" : "0" }
        return nil
    }
}
