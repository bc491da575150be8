import Foundation

/// A JSON document as a tree, read once with `JSONDecoder` (which limits nesting depth and rejects malformed
/// text) and then walked by the Prometheus API decoder, which knows at every step where it is.
enum PrometheusJSON: Sendable, Hashable, Decodable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([PrometheusJSON])
    case object([String: PrometheusJSON])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([PrometheusJSON].self) {
            self = .array(value)
        } else if let value = try? container.decode([String: PrometheusJSON].self) {
            self = .object(value)
        } else {
            // Last, so that its error (a number out of range, a malformed document) is the one reported.
            self = .number(try container.decode(Double.self))
        }
    }

    /// Parses `bytes`.
    ///
    /// - Throws: ``PrometheusAPIError`` (`notJSON`) saying why, e.g. a number too large for a float64.
    static func parse(_ bytes: some Collection<UInt8>) throws(PrometheusAPIError) -> PrometheusJSON {
        do {
            return try JSONDecoder().decode(PrometheusJSON.self, from: Data(bytes))
        } catch let error as DecodingError {
            switch error {
            case .dataCorrupted(let context), .typeMismatch(_, let context), .valueNotFound(_, let context),
                .keyNotFound(_, let context):
                let place = context.codingPath.map(\.stringValue).joined(separator: ".")
                var detail = context.debugDescription
                if let underlying = context.underlyingError { detail += " (\(underlying))" }
                throw .notJSON(place.isEmpty ? detail : "\(detail) at \(place)")
            @unknown default:
                throw .notJSON("\(error)")
            }
        } catch {
            throw .notJSON("\(error)")
        }
    }

    /// What the value is, for messages: `an object`, `the string "abc"`, `the number 12`.
    var kind: String {
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
