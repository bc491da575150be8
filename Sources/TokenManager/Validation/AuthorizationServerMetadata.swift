import Primitives

/// The fields of an authorization server's metadata (RFC 8414 §2) or an OpenID Provider's
/// configuration (OpenID Connect Discovery 1.0 §3) that validation uses.
public struct AuthorizationServerMetadata: Sendable, Hashable {
    public var issuer: String
    public var jwksURI: String?
    public var introspectionEndpoint: String?

    /// The largest document read.
    public static let maximumBytes = 256 * 1024

    /// The metadata URLs of `issuer`, in the order they are tried: RFC 8414 §3.1 inserts
    /// `/.well-known/oauth-authorization-server` between the host and the issuer's path; OpenID Connect
    /// Discovery §4 appends `/.well-known/openid-configuration` to the issuer.
    public static func urls(forIssuer issuer: String) -> [String] {
        var trimmed = Substring(issuer)
        while trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let schemeEnd = trimmed.range(of: "://") else { return [] }
        let afterScheme = trimmed[schemeEnd.upperBound...]
        let pathStart = afterScheme.firstIndex(of: "/") ?? afterScheme.endIndex
        let origin = trimmed[..<pathStart]
        let path = trimmed[pathStart...]
        return [
            "\(origin)/.well-known/oauth-authorization-server\(path)",
            "\(trimmed)/.well-known/openid-configuration",
        ]
    }

    /// Parses a metadata document and checks that it is the configured issuer's.
    ///
    /// - Parameters:
    ///   - body: The document.
    ///   - expectedIssuer: The configured issuer: RFC 8414 §3.3 and OpenID Connect Discovery §4.3 require
    ///     the document's `issuer` to be identical, or the document must not be used.
    /// - Throws: ``TokenValidationFailure`` with check `keys_unavailable` naming what is wrong.
    public static func parse(_ body: [UInt8], expectedIssuer: String?) throws(TokenValidationFailure)
        -> AuthorizationServerMetadata
    {
        guard body.count <= self.maximumBytes else {
            throw self.bad("the metadata document is \(body.count) bytes, over \(self.maximumBytes)")
        }
        guard let root = JSONValue.parse(body) else { throw self.bad("the metadata document is not JSON") }
        guard let object = root.object else { throw self.bad("the metadata document is \(root.kind), not an object") }
        guard let issuer = object["issuer"]?.string, !issuer.isEmpty else {
            throw self.bad("the metadata document has no 'issuer' string (RFC 8414 §2)")
        }
        if let expectedIssuer, issuer != expectedIssuer {
            throw self.bad(
                "the metadata names issuer '\(issuer.prefix(200))', not the configured '\(expectedIssuer)' (RFC 8414 §3.3)"
            )
        }
        func url(_ key: String) throws(TokenValidationFailure) -> String? {
            guard let value = object[key] else { return nil }
            guard let text = value.string, text.hasPrefix("https://") || text.hasPrefix("http://") else {
                throw self.bad("'\(key)' in the metadata is not an http(s) URL")
            }
            return text
        }
        return AuthorizationServerMetadata(
            issuer: issuer, jwksURI: try url("jwks_uri"), introspectionEndpoint: try url("introspection_endpoint")
        )
    }

    private static func bad(_ detail: String) -> TokenValidationFailure {
        TokenValidationFailure(.keysUnavailable, detail)
    }
}
