import Foundation
import Primitives

extension JSONValue {
    /// Parses `bytes`.
    ///
    /// - Throws: ``PrometheusAPIError`` (`notJSON`) saying why, e.g. a number too large for a float64.
    static func prometheusDocument(_ bytes: some Collection<UInt8>) throws(PrometheusAPIError) -> JSONValue {
        do {
            return try JSONValue.decode(bytes)
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
}
