/// The size syntax of oauthtop's files: `1048576`, `512B`, `64KiB`, `1MiB`, `1.5MiB`, `2GiB`.
///
/// A size is a whole number of bytes, or a number (optionally with a decimal fraction) and a binary unit
/// `B`, `KiB`, `MiB`, `GiB`; the decimal units `KB`, `MB`, `GB` (powers of 1000) are accepted too. A fraction
/// is rounded down to whole bytes. Negative sizes are rejected.
public enum SizeSyntax {
    /// What a user should write, for error messages.
    public static let expectation = "a size like 1048576, 64KiB or 1MiB"

    /// Why a text is not a size.
    public struct Problem: Error, Sendable, Hashable, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    private static let bytesPerUnit: [String: Double] = [
        "": 1, "B": 1, "KiB": 1_024, "MiB": 1_048_576, "GiB": 1_073_741_824,
        "KB": 1_000, "MB": 1_000_000, "GB": 1_000_000_000,
    ]

    /// Parses `text` into a number of bytes.
    ///
    /// - Throws: `Problem` saying why `text` is not a non-negative size.
    public static func parse(_ text: String) throws(Problem) -> Int {
        let trimmed = text.trimmingSpaces.replacingOccurrences(of: "_", with: "")
        if trimmed.hasPrefix("-") { throw Problem(description: "a size cannot be negative, found '\(trimmed)'") }
        let number = trimmed.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
        let unit = String(trimmed.dropFirst(number.count)).trimmingSpaces
        guard !number.isEmpty, number.first != ".", number.last != ".",
            number.filter({ $0 == "." }).count <= 1, let multiplier = self.bytesPerUnit[unit]
        else {
            var message = "expected \(self.expectation), found '\(trimmed)'"
            if let suggestion = Suggestion.closest(to: unit, in: ["B", "KiB", "MiB", "GiB"]) {
                message += "; did you mean '\(number)\(suggestion)'?"
            }
            throw Problem(description: message)
        }
        if unit.isEmpty || unit == "B" {
            guard !number.contains("."), number.count <= 18, let bytes = Int(number) else {
                throw Problem(description: "expected a whole number of bytes below 2^62, found '\(trimmed)'")
            }
            return bytes
        }
        guard number.count <= 18, let value = Double(number), value * multiplier < 4.6e18 else {
            throw Problem(description: "'\(trimmed)' is too large")
        }
        return Int((value * multiplier).rounded(.down))
    }

    /// Formats a byte count the way a user would write it (`1MiB`, `64KiB`, `1000B`).
    public static func format(_ bytes: Int) -> String {
        for (unit, size) in [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)] where bytes >= size && bytes % size == 0 {
            return "\(bytes / size)\(unit)"
        }
        return "\(bytes)B"
    }
}

extension YAMLReader {
    /// Reads a size (`1048576`, `64KiB`, `1MiB`); see ``SizeSyntax``.
    ///
    /// - Parameter range: The accepted byte counts; values outside are reported with the bounds.
    public func size(_ field: YAMLField, in range: ClosedRange<Int> = 0...Int.max) -> Int? {
        guard let text = field.scalarText else {
            self.mismatch(field, expected: SizeSyntax.expectation)
            return nil
        }
        let value: Int
        do {
            value = try SizeSyntax.parse(text)
        } catch {
            self.error(error.description, at: field)
            return nil
        }
        guard range.contains(value) else {
            let upper = range.upperBound == Int.max ? "" : " and at most \(SizeSyntax.format(range.upperBound))"
            self.error("must be at least \(SizeSyntax.format(range.lowerBound))\(upper), found '\(text)'", at: field)
            return nil
        }
        return value
    }
}
