import Foundation

/// Formats numbers as Go's `fmt` does, so templates print what Prometheus prints.
public enum GoFloatFormat {
    /// `%v` of a float64: the shortest digits that round-trip, with an exponent (`1e+06`) when the decimal
    /// exponent is below -4 or at least 6, as Go prints a float64 with `%v` (`strconv` shortest `%g`).
    static func format(_ value: Double) -> String {
        if value.isNaN {
            return "NaN"
        }
        if value.isInfinite {
            return value > 0 ? "+Inf" : "-Inf"
        }
        if value == 0 {
            return value.sign == .minus ? "-0" : "0"
        }
        // Shortest round-trip digits from Swift, then laid out as Go does.
        let (negative, digits, exponent) = self.decompose(value)
        let sign = negative ? "-" : ""
        if exponent < -4 || exponent >= 6 {
            var mantissa = String(digits.prefix(1))
            if digits.count > 1 {
                mantissa += "." + digits.dropFirst()
            }
            let exponentText = String(format: "%02d", Swift.abs(exponent))
            return "\(sign)\(mantissa)e\(exponent < 0 ? "-" : "+")\(exponentText)"
        }
        if exponent < 0 {
            return sign + "0." + String(repeating: "0", count: -exponent - 1) + digits
        }
        if digits.count <= exponent + 1 {
            return sign + digits + String(repeating: "0", count: exponent + 1 - digits.count)
        }
        let split = digits.index(digits.startIndex, offsetBy: exponent + 1)
        return sign + digits[..<split] + "." + digits[split...]
    }

    /// The sign, the significant digits without leading or trailing zeros, and the decimal exponent of the
    /// first digit.
    static func decompose(_ value: Double) -> (Bool, String, Int) {
        let text = "\(Swift.abs(value))"  // e.g. "1234.5", "1e-05", "1.5e+20"
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...]) ?? 0
        }
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        let integer = String(parts[0])
        let fraction = parts.count > 1 ? String(parts[1]) : ""
        var digits = integer + fraction
        var pointPosition = integer.count + exponent
        while digits.hasPrefix("0"), digits.count > 1 {
            digits.removeFirst()
            pointPosition -= 1
        }
        while digits.hasSuffix("0"), digits.count > 1 {
            digits.removeLast()
        }
        return (value < 0, digits, pointPosition - 1)
    }

    enum Argument {
        case number(Double)
        case text(String)
    }

    /// A small `printf`: `%v`, `%s`, `%d`, `%f`/`%.Nf`, `%e`, `%g`, `%%`.
    static func printf(_ format: String, _ arguments: [Argument]) -> String {
        var out = ""
        var remaining = arguments[...]
        var index = format.startIndex
        while index < format.endIndex {
            let character = format[index]
            guard character == "%" else {
                out.append(character)
                index = format.index(after: index)
                continue
            }
            var end = format.index(after: index)
            while end < format.endIndex, "0123456789.+-# ".contains(format[end]) {
                end = format.index(after: end)
            }
            guard end < format.endIndex else {
                out += format[index...]
                break
            }
            let verb = format[end]
            let flags = String(format[format.index(after: index)..<end])
            index = format.index(after: end)
            if verb == "%" {
                out += "%"
                continue
            }
            let argument = remaining.popFirst()
            switch (verb, argument) {
            case ("v", .number(let value)?), ("s", .number(let value)?): out += self.format(value)
            case ("v", .text(let text)?), ("s", .text(let text)?): out += text
            case ("d", .number(let value)?): out += String(format: "%\(flags)lld", Int64(value.isFinite ? value : 0))
            case ("f", .number(let value)?), ("e", .number(let value)?), ("g", .number(let value)?),
                ("F", .number(let value)?):
                out += String(format: "%\(flags)\(verb)", value)
            case (_, .text(let text)?): out += self.printf("%\(flags)\(verb)", [.number(Double(text) ?? .nan)])
            default: out += "%!\(verb)(MISSING)"
            }
        }
        return out
    }
}

/// Prometheus's `humanize*` template functions.
enum Humanize {
    static func number(_ value: Double) -> String {
        if value == 0 || value.isNaN || value.isInfinite {
            return String(format: "%.4g", value)
        }
        if Swift.abs(value) >= 1 {
            let prefixes = ["", "k", "M", "G", "T", "P", "E", "Z", "Y"]
            var scaled = value
            var index = 0
            while Swift.abs(scaled) >= 1000, index < prefixes.count - 1 {
                scaled /= 1000
                index += 1
            }
            return String(format: "%.4g", scaled) + prefixes[index]
        }
        let prefixes = ["", "m", "u", "n", "p", "f", "a", "z", "y"]
        var scaled = value
        var index = 0
        while Swift.abs(scaled) < 1, index < prefixes.count - 1 {
            scaled *= 1000
            index += 1
        }
        return String(format: "%.4g", scaled) + prefixes[index]
    }

    static func percentage(_ value: Double) -> String {
        String(format: "%.4g%%", value * 100)
    }

    static func duration(_ value: Double) -> String {
        if value.isNaN || value.isInfinite {
            return String(format: "%.4g", value)
        }
        if Swift.abs(value) < 1 {
            return value == 0 ? "0s" : Humanize.number(value) + "s"
        }
        let negative = value < 0
        let seconds = Int64(Swift.abs(value))
        let days = seconds / 86_400
        let hours = seconds / 3600 % 24
        let minutes = seconds / 60 % 60
        let secs = seconds % 60
        var out = negative ? "-" : ""
        if days > 0 {
            out += "\(days)d \(hours)h \(minutes)m \(secs)s"
        } else if hours > 0 {
            out += "\(hours)h \(minutes)m \(secs)s"
        } else if minutes > 0 {
            out += "\(minutes)m \(secs)s"
        } else {
            out += String(format: "%.4gs", Swift.abs(value))
        }
        return out
    }
}
