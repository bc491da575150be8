import HTTPTypes
import OAuthTopConfig

/// The header rules of the proxy (RFC 9110 §7.6.1): hop-by-hop fields never cross it, in either direction;
/// on the way up the client's credentials, `Host` and the proxy's own fields are removed and the token
/// header is set.
public enum ProxyHeaders {
    /// Hop-by-hop fields, removed both ways (besides every field `Connection` names).
    static let hopByHop: [HTTPField.Name] = [
        .connection, .init("Keep-Alive")!, .init("Proxy-Connection")!, .proxyAuthenticate, .proxyAuthorization, .te,
        .trailer, .transferEncoding, .upgrade,
    ]

    /// `Host` (swift-http-types marks its name unavailable: HTTP/2 has `:authority`; HTTP/1 clients send it).
    static let host = HTTPField.Name("Host")!

    /// The fields of a client's request as sent to the upstream.
    ///
    /// - Parameters:
    ///   - incoming: The client's fields.
    ///   - removing: Further fields the proxy consumes (the critical-request header).
    /// - Returns: The fields without hop-by-hop fields, `Host`, `Content-Length` (set from the body sent),
    ///   `Expect` (the proxy answers it), `Authorization` and `Proxy-Authorization`, the token header, and
    ///   `removing`; with ``via`` after any `Via` the client sent (RFC 9110 §7.6.3: a gateway MUST send one in
    ///   each request it forwards).
    public static func upstreamRequestFields(
        _ incoming: HTTPFields, tokenHeader: ProxySettings.TokenHeader, removing: [String] = []
    ) -> HTTPFields {
        var removed = self.consumedOnTheWayUp
        removed.formUnion(self.connectionOptions(incoming))
        if let name = HTTPField.Name(tokenHeader.name) { removed.insert(name) }
        for name in removing { if let name = HTTPField.Name(name) { removed.insert(name) } }
        var fields = incoming
        fields.removeAll { removed.contains($0.name) }
        fields.append(self.via)
        return fields
    }

    /// The proxy's `Via` entry: the protocol it received (HTTP/1.1) and a pseudonym, no host name or port.
    static let via = HTTPField(name: .via, value: "1.1 oauthtop")

    /// Hop-by-hop fields, as a set.
    private static let hopByHopSet = Set(hopByHop)
    /// What never goes up besides hop-by-hop fields: `Host` (the upstream's is sent), `Content-Length` (set from
    /// the body sent), `Expect`, the client's credentials and the proxy's own fields.
    private static let consumedOnTheWayUp = hopByHopSet.union([
        host, .contentLength, .expect, .authorization,
    ])

    /// The value of the token header: `SCHEME TOKEN`, or the bare token with an empty scheme.
    static func tokenValue(_ token: String, header: ProxySettings.TokenHeader) -> String {
        header.scheme.isEmpty ? token : "\(header.scheme) \(token)"
    }

    /// The fields of an upstream response as sent to the client: without hop-by-hop fields.
    public static func clientResponseFields(_ upstream: HTTPFields) -> HTTPFields {
        let options = self.connectionOptions(upstream)
        var fields = upstream
        fields.removeAll { self.hopByHopSet.contains($0.name) || options.contains($0.name) }
        return fields
    }

    /// The fields named by `Connection` (comma-separated tokens), besides `close` and `keep-alive` (which name
    /// no field but `Keep-Alive`, hop-by-hop anyway); empty at once when there is no `Connection` field.
    static func connectionOptions(_ fields: HTTPFields) -> [HTTPField.Name] {
        var names: [HTTPField.Name] = []
        for field in fields where field.name == .connection {
            for token in field.value.utf8.split(separator: UInt8(ascii: ",")) {
                let trimmed = token.drop { $0 == 0x20 || $0 == 0x09 }.reversed().drop { $0 == 0x20 || $0 == 0x09 }.reversed()
                let option = String(decoding: trimmed, as: UTF8.self)
                if option.isEmpty || option.caseInsensitiveEquals("close") || option.caseInsensitiveEquals("keep-alive") {
                    continue
                }
                if let name = HTTPField.Name(option) { names.append(name) }
            }
        }
        return names
    }
}

extension String {
    /// Whether the string equals `other` (ASCII lower case) ignoring ASCII case.
    fileprivate func caseInsensitiveEquals(_ other: StaticString) -> Bool {
        let bytes = UnsafeBufferPointer(start: other.utf8Start, count: other.utf8CodeUnitCount)
        guard self.utf8.count == bytes.count else { return false }
        return zip(self.utf8, bytes).allSatisfy { ($0 | 0x20) == $1 }
    }
}
