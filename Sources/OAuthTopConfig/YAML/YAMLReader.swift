import Foundation
import Yams

/// Reads typed values out of YAML nodes, reporting each problem with its position.
///
/// Every method returns `nil` after reporting a problem, so a caller keeps reading the other keys
/// and a file's mistakes are all found in one pass. Parsers for oauthtop's files (configuration,
/// fault schedules, later rules and themes) are built from these pieces.
public struct YAMLReader {
    public let diagnostics: DiagnosticCollector

    public init(diagnostics: DiagnosticCollector) {
        self.diagnostics = diagnostics
    }

    /// Reports an error about `field`, prefixed with its name.
    public func error(_ message: String, at field: YAMLField) {
        self.diagnostics.report("\(field.name): \(message)", at: field.position)
    }

    /// Reports a warning about `field`, prefixed with its name.
    public func warning(_ message: String, at field: YAMLField) {
        self.diagnostics.report("\(field.name): \(message)", at: field.position, severity: .warning)
    }

    /// Reports "expected `expectation`, found ..." about `field`.
    public func mismatch(_ field: YAMLField, expected expectation: String) {
        self.error("expected \(expectation), found \(field.foundDescription)", at: field)
    }

    // MARK: - Collections

    /// Reads a mapping whose keys must be among `allowedKeys`.
    ///
    /// Each unknown key is reported at its position with the allowed keys and, when one is close,
    /// a "did you mean". The known entries are still returned so reading goes on.
    ///
    /// - Parameters:
    ///   - field: The value to read.
    ///   - allowedKeys: The keys this mapping accepts, in the order the documentation lists them.
    ///   - context: How messages name the mapping, e.g. `"provider"`; defaults to `'NAME'`.
    public func mapping(_ field: YAMLField, allowedKeys: [String], context: String? = nil) -> YAMLMapping? {
        guard case .mapping(let mapping) = field.node else {
            self.mismatch(field, expected: "a mapping with keys \(allowedKeys.joined(separator: ", "))")
            return nil
        }
        let where_ = context ?? "'\(field.name)'"
        var entries: [YAMLMapping.Entry] = []
        for (keyNode, value) in mapping {
            guard case .scalar(let keyScalar) = keyNode else {
                self.diagnostics.error(
                    "keys in \(where_) must be plain words, found a \(keyNode.kindName)",
                    at: keyNode
                )
                continue
            }
            let key = keyScalar.string
            guard allowedKeys.contains(key) else {
                var message = "unknown key '\(key)' in \(where_)"
                if let suggestion = Suggestion.closest(to: key, in: allowedKeys) {
                    message += "; did you mean '\(suggestion)'?"
                }
                message += " (allowed: \(allowedKeys.joined(separator: ", ")))"
                self.diagnostics.error(message, at: keyNode)
                continue
            }
            entries.append(YAMLMapping.Entry(key: key, keyNode: keyNode, value: value))
        }
        return YAMLMapping(field: field, entries: entries, context: where_, reader: self)
    }

    /// Reads a list; its items carry the list's name.
    public func sequence(_ field: YAMLField, expected expectation: String = "a list") -> [YAMLField]? {
        guard case .sequence(let sequence) = field.node else {
            self.mismatch(field, expected: expectation)
            return nil
        }
        return sequence.map { YAMLField(name: field.name, node: $0, isSensitive: field.isSensitive) }
    }

    /// Reads a list of strings, or one string of words separated by spaces (`"repo read:org"`).
    public func words(_ field: YAMLField) -> [String]? {
        if let text = field.scalarText {
            return text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        }
        guard let items = self.sequence(field, expected: "a list of strings or a space-separated string") else {
            return nil
        }
        let values = items.map { self.nonEmptyString($0) }
        return values.contains(nil) ? nil : values.compactMap { $0 }
    }

    // MARK: - Scalars

    /// Reads any scalar as text (numbers and booleans too, as written).
    public func string(_ field: YAMLField) -> String? {
        guard let text = field.scalarText else {
            self.mismatch(field, expected: "a string")
            return nil
        }
        return text
    }

    /// Reads a string that is not empty or only spaces.
    public func nonEmptyString(_ field: YAMLField) -> String? {
        guard let text = field.scalarText else {
            self.mismatch(field, expected: "a non-empty string")
            return nil
        }
        guard !text.trimmingSpaces.isEmpty else {
            self.error("must not be empty", at: field)
            return nil
        }
        return text
    }

    /// Reads an integer, optionally within `range`.
    public func int(_ field: YAMLField, in range: ClosedRange<Int>? = nil) -> Int? {
        guard let text = field.scalarText, let value = Int(text.trimmingSpaces.replacingOccurrences(of: "_", with: ""))
        else {
            self.mismatch(field, expected: range.map(self.integerExpectation) ?? "an integer")
            return nil
        }
        if let range, !range.contains(value) {
            self.error(self.outOfRange(value, range), at: field)
            return nil
        }
        return value
    }

    /// Reads a floating-point number.
    public func double(_ field: YAMLField) -> Double? {
        guard let text = field.scalarText, let value = Double(text.trimmingSpaces), value.isFinite else {
            self.mismatch(field, expected: "a number")
            return nil
        }
        return value
    }

    /// Reads `true` or `false`.
    public func bool(_ field: YAMLField) -> Bool? {
        switch field.scalarText?.trimmingSpaces {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default:
            self.mismatch(field, expected: "true or false")
            return nil
        }
    }

    /// Reads a duration (`500ms`, `15s`, `2m`, `1h`, `1m30s`); see `DurationSyntax`.
    ///
    /// - Parameter positive: Whether zero is rejected too.
    public func duration(_ field: YAMLField, positive: Bool = false) -> Duration? {
        guard let text = field.scalarText else {
            self.mismatch(field, expected: DurationSyntax.expectation)
            return nil
        }
        let value: Duration
        do {
            value = try DurationSyntax.parse(text)
        } catch {
            self.error(error.description, at: field)
            return nil
        }
        if positive, value == .zero {
            self.error("must be longer than 0s", at: field)
            return nil
        }
        return value
    }

    /// Reads a fraction in 0...1, written as a percentage (`30%`) or a number (`0.3`).
    public func fraction(_ field: YAMLField) -> Double? {
        let expectation = "a percentage like 30% or a fraction like 0.3"
        guard let text = field.scalarText?.trimmingSpaces else {
            self.mismatch(field, expected: expectation)
            return nil
        }
        let value: Double
        if text.hasSuffix("%"), let percent = Double(String(text.dropLast()).trimmingSpaces), percent.isFinite {
            value = percent / 100
        } else if let number = Double(text), number.isFinite {
            value = number
        } else {
            self.mismatch(field, expected: expectation)
            return nil
        }
        guard (0...1).contains(value) else {
            self.error("must be between 0% and 100% (0...1), found '\(text)'", at: field)
            return nil
        }
        return value
    }

    /// Reads an absolute URL whose scheme is one of `schemes`, with a host; returns it as written.
    public func url(_ field: YAMLField, schemes: [String] = ["http", "https"]) -> String? {
        let expectation = "an \(schemes.joined(separator: "/")) URL like https://idp.example.com/oauth/token"
        guard let text = field.scalarText?.trimmingSpaces else {
            self.mismatch(field, expected: expectation)
            return nil
        }
        guard let components = URLComponents(string: text),
            let scheme = components.scheme?.lowercased(), schemes.contains(scheme),
            let host = components.host, !host.isEmpty
        else {
            self.mismatch(field, expected: expectation)
            return nil
        }
        return text
    }

    /// Reads one of a fixed set of words, suggesting the closest on a typo.
    public func choice(_ field: YAMLField, from allowed: [String]) -> String? {
        let list = allowed.joined(separator: " | ")
        guard let text = field.scalarText?.trimmingSpaces else {
            self.mismatch(field, expected: "one of \(list)")
            return nil
        }
        guard allowed.contains(text) else {
            var message = "expected one of \(list), found \(field.foundDescription)"
            if let suggestion = Suggestion.closest(to: text, in: allowed) {
                message += "; did you mean '\(suggestion)'?"
            }
            self.error(message, at: field)
            return nil
        }
        return text
    }

    private func integerExpectation(_ range: ClosedRange<Int>) -> String {
        if range.upperBound == Int.max {
            return "an integer of at least \(range.lowerBound)"
        }
        return "an integer between \(range.lowerBound) and \(range.upperBound)"
    }

    private func outOfRange(_ value: Int, _ range: ClosedRange<Int>) -> String {
        if range.upperBound == Int.max {
            return "must be at least \(range.lowerBound), found \(value)"
        }
        return "must be between \(range.lowerBound) and \(range.upperBound), found \(value)"
    }
}

extension Node {
    /// "scalar", "mapping", "list" or "alias", for messages.
    var kindName: String {
        switch self {
        case .scalar: return "scalar"
        case .mapping: return "mapping"
        case .sequence: return "list"
        case .alias: return "alias"
        }
    }
}
