import Foundation

/// A JSON document as a tree, with exact types (no `NSNumber`/`Bool` ambiguity): read once with `JSONDecoder`
/// (which limits nesting depth and rejects malformed text) and then walked by a parser that knows where it is.
/// Token responses, Prometheus API answers and the tests' event lines are read through it.
public enum JSONValue: Sendable, Hashable, Decodable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else if let value = try? container.decode([String: JSONValue].self) {
            self = .object(value)
        } else {
            // Last, so that its error (a number out of range, a malformed document) is the one reported.
            self = .number(try container.decode(Double.self))
        }
    }

    /// Parses `bytes` as one JSON value.
    ///
    /// - Throws: `DecodingError` saying why and where, e.g. a number too large for a float64.
    public static func decode(_ bytes: some Collection<UInt8>) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
    }

    /// Parses `bytes` as one JSON value, or returns `nil`.
    public static func parse(_ bytes: some Collection<UInt8>) -> JSONValue? {
        try? self.decode(bytes)
    }

    public var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var number: Double? {
        if case .number(let value) = self { return value }
        return nil
    }

    public var bool: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    public var array: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    public var object: [String: JSONValue]? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// What the value is, for messages: `an object`, `the string "abc"`, `the number 12`.
    public var kind: String {
        switch self {
        case .null: "null"
        case .bool(let value): "\(value)"
        case .number(let value): "the number \(value)"
        case .string(let value): "the string \"\(value.count > 40 ? String(value.prefix(40)) + "..." : value)\""
        case .array(let items): "an array of \(items.count)"
        case .object: "an object"
        }
    }
}
