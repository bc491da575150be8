import Synchronization

/// One label matcher of a selector: `name="v"`, `name!="v"`, `name=~"re"` or `name!~"re"`.
///
/// Regular expressions are anchored at both ends, as in Prometheus; a label that a series lacks has the
/// value `""`. Regex results are memoised per value, so matching the same series again costs a lookup.
public struct LabelMatcher: Sendable, Hashable, CustomStringConvertible {
    /// How the value is compared.
    public enum Kind: String, Sendable, Hashable {
        case equal = "="
        case notEqual = "!="
        case regexMatch = "=~"
        case regexNoMatch = "!~"
    }

    public let name: String
    public let kind: Kind
    public let value: String
    private let regex: AnchoredRegex?

    /// Creates a matcher.
    ///
    /// - Throws: `LabelMatcherError` when a regex matcher's value is not a valid regular expression.
    public init(name: String, kind: Kind, value: String) throws(LabelMatcherError) {
        self.name = name
        self.kind = kind
        self.value = value
        switch kind {
        case .equal, .notEqual:
            self.regex = nil
        case .regexMatch, .regexNoMatch:
            self.regex = try AnchoredRegex(value)
        }
    }

    /// Whether a label value (`""` for an absent label) satisfies the matcher.
    public func matches(_ labelValue: String) -> Bool {
        switch self.kind {
        case .equal: labelValue == self.value
        case .notEqual: labelValue != self.value
        case .regexMatch: self.regex?.matches(labelValue) ?? false
        case .regexNoMatch: !(self.regex?.matches(labelValue) ?? false)
        }
    }

    /// Whether the matcher matches the empty string (such a matcher also selects series without the label).
    public var matchesEmpty: Bool { self.matches("") }

    public var description: String {
        "\(self.name)\(self.kind.rawValue)\"\(Labels.escape(self.value))\""
    }

    public static func == (lhs: LabelMatcher, rhs: LabelMatcher) -> Bool {
        lhs.name == rhs.name && lhs.kind == rhs.kind && lhs.value == rhs.value
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(self.name)
        hasher.combine(self.kind)
        hasher.combine(self.value)
    }
}

/// A regular expression in a label matcher was not valid.
public struct LabelMatcherError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The pattern as written.
    public let pattern: String
    /// What the regex engine reported.
    public let reason: String

    public var description: String { "invalid regular expression \"\(self.pattern)\": \(self.reason)" }
}

/// A fully anchored regular expression with a memo of the values it has seen.
final class AnchoredRegex: Sendable {
    private let regex: Mutex<Regex<AnyRegexOutput>>
    private let memo = Mutex<[String: Bool]>([:])
    private let isLiteralAlternation: Set<String>?

    init(_ pattern: String) throws(LabelMatcherError) {
        do {
            // Anchored as Prometheus 3 anchors matchers (`^(?s:...)$`: `.` matches a newline too).
            self.regex = Mutex(try Regex("^(?s:" + pattern + ")$"))
        } catch {
            throw LabelMatcherError(pattern: pattern, reason: "\(error)")
        }
        // `a|b|c` of plain words, the common case, needs no regex engine at all.
        let parts = pattern.split(separator: "|", omittingEmptySubsequences: false)
        let plain = parts.allSatisfy { part in part.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
        }
        self.isLiteralAlternation = plain ? Set(parts.map(String.init)) : nil
    }

    func matches(_ value: String) -> Bool {
        if let literals = self.isLiteralAlternation {
            return literals.contains(value)
        }
        if let known = self.memo.withLock({ $0[value] }) {
            return known
        }
        let result = self.regex.withLock { regex in (try? regex.wholeMatch(in: value)) != nil }
        self.memo.withLock { memo in
            if memo.count < 10_000 {
                memo[value] = result
            }
        }
        return result
    }
}
