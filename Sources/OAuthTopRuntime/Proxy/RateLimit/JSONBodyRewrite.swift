import Foundation
import OAuthTopConfig
import Primitives

/// The `on_rate_limit` rewrite: one string field of a JSON request body replaced (`model: expensive` to
/// `model: cheaper`), everything else kept byte for byte (key order, spacing, number spellings).
///
/// The body is first read with the project's JSON parser (``JSONValue``), so only a well-formed document
/// is touched; the field's value is then located in the original bytes and spliced. A body that is not
/// JSON, lacks the field, or whose field has another value than `from` is left alone and the outcome says
/// why (as does a path whose key appears twice in one object). Fuzzed by `FuzzProxyRequest`.
public enum JSONBodyRewrite {
    /// What the rewrite did.
    public enum Outcome: Sendable, Equatable {
        /// The body with the field replaced.
        case rewritten([UInt8])
        /// The body is not a JSON document.
        case notJSON
        /// The body has no such field (or a path segment on the way is not an object).
        case fieldMissing
        /// The field's value is not `from`.
        case valueDiffers

        /// The event's `result` word.
        public var code: String {
            switch self {
            case .rewritten: "rewritten"
            case .notJSON: "not_json"
            case .fieldMissing: "field_missing"
            case .valueDiffers: "value_differs"
            }
        }
    }

    /// Applies `rule` to `body`.
    public static func apply(_ rule: ProxySettings.BodyRewrite, to body: [UInt8]) -> Outcome {
        guard let document = JSONValue.parse(body) else { return .notJSON }
        let path = rule.jsonField.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        var value = document
        for key in path {
            guard let next = value.object?[key] else { return .fieldMissing }
            value = next
        }
        if let from = rule.from, value.string != from { return .valueDiffers }
        var scanner = Scanner(bytes: body)
        guard let range = scanner.valueRange(path: path[...]),
            let replacement = try? JSONEncoder().encode(rule.to)
        else { return .fieldMissing }
        var rewritten = Array(body[..<range.lowerBound])
        rewritten += Array(replacement)
        rewritten += body[range.upperBound...]
        return .rewritten(rewritten)
    }

    /// Finds a member's value in JSON text known to be well formed, without building a tree; every read
    /// is bounds-checked, so malformed text ends in `nil`, never a trap.
    struct Scanner {
        let bytes: [UInt8]
        var index = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        /// The byte range of the value at `path` under the object that starts at the current position.
        mutating func valueRange(path: ArraySlice<String>) -> Range<Int>? {
            self.skipSpace()
            guard let key = path.first, self.peek == UInt8(ascii: "{") else { return nil }
            // A name given twice is ambiguous (parsers differ on which counts): nothing is rewritten.
            var found: Int?
            self.index += 1
            while true {
                self.skipSpace()
                if self.peek == UInt8(ascii: "}") { break }
                guard let keyRange = self.skipString() else { return nil }
                self.skipSpace()
                guard self.peek == UInt8(ascii: ":") else { return nil }
                self.index += 1
                self.skipSpace()
                let valueStart = self.index
                guard self.skipValue() else { return nil }
                if JSONValue.parse(self.bytes[keyRange])?.string == key {
                    guard found == nil else { return nil }
                    found = valueStart
                }
                self.skipSpace()
                if self.peek == UInt8(ascii: ",") {
                    self.index += 1
                    continue
                }
                guard self.peek == UInt8(ascii: "}") else { return nil }
                break
            }
            guard let start = found else { return nil }
            self.index = start
            if path.count > 1 { return self.valueRange(path: path.dropFirst()) }
            guard self.skipValue() else { return nil }
            return start..<self.index
        }

        var peek: UInt8? { self.index < self.bytes.count ? self.bytes[self.index] : nil }

        mutating func skipSpace() {
            while let byte = self.peek, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { self.index += 1 }
        }

        /// Skips a string; returns its range with the quotes.
        mutating func skipString() -> Range<Int>? {
            guard self.peek == UInt8(ascii: "\"") else { return nil }
            let start = self.index
            self.index += 1
            while let byte = self.peek {
                self.index += 1
                if byte == UInt8(ascii: "\\") {
                    self.index += 1
                } else if byte == UInt8(ascii: "\"") {
                    return self.index <= self.bytes.count ? start..<self.index : nil
                }
            }
            return nil
        }

        /// Skips one value of any kind (nested ones counted, not recursed into).
        mutating func skipValue() -> Bool {
            guard let first = self.peek else { return false }
            if first == UInt8(ascii: "\"") { return self.skipString() != nil }
            if first == UInt8(ascii: "{") || first == UInt8(ascii: "[") {
                var depth = 0
                while let byte = self.peek {
                    switch byte {
                    case UInt8(ascii: "\""):
                        guard self.skipString() != nil else { return false }
                        continue
                    case UInt8(ascii: "{"), UInt8(ascii: "["):
                        depth += 1
                    case UInt8(ascii: "}"), UInt8(ascii: "]"):
                        depth -= 1
                        if depth == 0 {
                            self.index += 1
                            return true
                        }
                    default:
                        break
                    }
                    self.index += 1
                }
                return false
            }
            // A number, true, false or null: up to the next delimiter.
            let start = self.index
            while let byte = self.peek, ![UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x09, 0x0A, 0x0D]
                .contains(byte)
            {
                self.index += 1
            }
            return self.index > start
        }
    }
}
