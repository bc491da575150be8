import Primitives

/// An RFC 7662 §2.2 introspection response: `active` and the claims validation compares.
public struct IntrospectionResponse: Sendable, Hashable {
    /// Whether the token is active; `false` means it must not be used.
    public var active: Bool
    /// `exp` in Unix seconds, when given.
    public var expiry: Double?
    /// `iss`, when given.
    public var issuer: String?
    /// `aud` as a list, empty when absent.
    public var audiences: [String]
    /// `client_id`, when given.
    public var clientID: String?

    /// The largest response read.
    public static let maximumBytes = 64 * 1024

    /// Parses an introspection response.
    ///
    /// - Throws: ``TokenValidationFailure`` with check `probe` when the body is not an RFC 7662 response
    ///   (not a JSON object, `active` missing or not a boolean).
    public static func parse(_ body: [UInt8]) throws(TokenValidationFailure) -> IntrospectionResponse {
        guard body.count <= self.maximumBytes else {
            throw self.bad("the introspection response is \(body.count) bytes, over \(self.maximumBytes)")
        }
        guard let root = JSONValue.parse(body) else { throw self.bad("the introspection response is not JSON") }
        guard let object = root.object else {
            throw self.bad("the introspection response is \(root.kind), not an object")
        }
        guard let activeValue = object["active"] else {
            throw self.bad("the introspection response has no 'active' member (RFC 7662 §2.2 requires it)")
        }
        guard let active = activeValue.bool else {
            throw self.bad("'active' in the introspection response is \(CompactJWT.typeName(activeValue)), not a boolean")
        }
        var audiences: [String] = []
        switch object["aud"] {
        case .string(let single)?: audiences = [single]
        case .array(let items)?: audiences = items.compactMap(\.string)
        default: break
        }
        let expiry = object["exp"]?.number.flatMap { $0.isFinite ? $0 : nil }
        return IntrospectionResponse(
            active: active, expiry: expiry, issuer: object["iss"]?.string, audiences: audiences,
            clientID: object["client_id"]?.string
        )
    }

    private static func bad(_ detail: String) -> TokenValidationFailure {
        TokenValidationFailure(.probe, detail)
    }
}
