import NIOHTTP1
import OAuthTopConfig

/// The header rules of the proxy (RFC 9110 §7.6.1): hop-by-hop fields never cross it, in either direction;
/// on the way up the client's credentials, `Host` and the proxy's own fields are removed and the token
/// header is set.
///
/// The rules work on NIO's headers as parsed, in one pass each way: the request's and the response's fields are
/// converted to swift-http-types' only once, for the hooks (``ProxyHooks``).
public enum ProxyHeaders {
    /// Hop-by-hop fields, removed both ways (besides every field `Connection` names), lower case.
    static let hopByHop: [String] = [
        "connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization", "te", "trailer",
        "transfer-encoding", "upgrade",
    ]

    /// What never goes up besides hop-by-hop fields: `Host` (the upstream's is sent), `Content-Length` (set from
    /// the body sent), `Expect`, the client's credentials.
    static let consumedOnTheWayUp: [String] = hopByHop + ["host", "content-length", "expect", "authorization"]

    /// The fields of a client's request as sent to the upstream.
    ///
    /// - Parameters:
    ///   - incoming: The client's fields.
    ///   - tokenHeader: The header the token goes in (the client's is removed).
    ///   - removing: Further fields the proxy consumes (the critical-request header).
    /// - Returns: The fields without hop-by-hop fields, `Host`, `Content-Length` (set from the body sent),
    ///   `Expect` (the proxy answers it), `Authorization` and `Proxy-Authorization`, the token header, and
    ///   `removing`; with ``via`` after any `Via` the client sent (RFC 9110 §7.6.3: a gateway MUST send one in
    ///   each request it forwards).
    public static func upstreamRequestFields(
        _ incoming: HTTPHeaders, tokenHeader: ProxySettings.TokenHeader, removing: [String] = []
    ) -> HTTPHeaders {
        let options = self.connectionOptions(incoming)
        var fields = self.without(incoming) { name in
            self.consumedOnTheWayUp.contains(where: { name.equalsIgnoringASCIICase($0) })
                || name.equalsIgnoringASCIICase(tokenHeader.name)
                || (!removing.isEmpty && removing.contains(where: { name.equalsIgnoringASCIICase($0) }))
                || (!options.isEmpty && options.contains(where: { name.equalsIgnoringASCIICase($0) }))
        }
        fields.add(name: self.via.name, value: self.via.value)
        return fields
    }

    /// `headers` without the fields whose names `drops` says: the same headers when it drops none, else a copy with
    /// those names removed (most messages carry one or two, and removing them from a copy is cheaper than adding
    /// every other field to a new one).
    private static func without(_ headers: HTTPHeaders, dropping drops: (String) -> Bool) -> HTTPHeaders {
        var dropped: [String] = []
        for (name, _) in headers where drops(name) {
            if !dropped.contains(where: { $0.equalsIgnoringASCIICase(name) }) { dropped.append(name) }
        }
        guard !dropped.isEmpty else { return headers }
        var fields = headers
        for name in dropped { fields.remove(name: name) }
        return fields
    }

    /// The proxy's `Via` entry: the protocol it received (HTTP/1.1) and a pseudonym, no host name or port.
    static let via = (name: "Via", value: "1.1 oauthtop")

    /// The value of the token header: `SCHEME TOKEN`, or the bare token with an empty scheme.
    static func tokenValue(_ token: String, header: ProxySettings.TokenHeader) -> String {
        header.scheme.isEmpty ? token : "\(header.scheme) \(token)"
    }

    /// The fields of an upstream response as sent to the client: without hop-by-hop fields.
    public static func clientResponseFields(_ upstream: HTTPHeaders) -> HTTPHeaders {
        let options = self.connectionOptions(upstream)
        return self.without(upstream) { name in
            self.hopByHop.contains(where: { name.equalsIgnoringASCIICase($0) })
                || (!options.isEmpty && options.contains(where: { name.equalsIgnoringASCIICase($0) }))
        }
    }

    /// The fields named by `Connection` (comma-separated tokens), besides `close` and `keep-alive` (which name
    /// no field but `Keep-Alive`, hop-by-hop anyway); empty at once when there is no `Connection` field.
    static func connectionOptions(_ fields: HTTPHeaders) -> [Substring] {
        var names: [Substring] = []
        for (name, value) in fields where name.equalsIgnoringASCIICase("connection") {
            // Split by hand: most values are one `keep-alive` or `close`, and `split` builds an array for each.
            var rest = value[...]
            while !rest.isEmpty {
                let comma = rest.utf8.firstIndex(of: UInt8(ascii: ",")) ?? rest.endIndex
                let option = rest[..<comma].trimmingASCIISpaces()
                rest = comma == rest.endIndex ? rest[rest.endIndex...] : rest[rest.index(after: comma)...]
                if option.isEmpty || option.equalsIgnoringASCIICase("close") || option.equalsIgnoringASCIICase("keep-alive") {
                    continue
                }
                names.append(option)
            }
        }
        return names
    }
}

extension StringProtocol {
    /// Whether the string equals `other` ignoring ASCII case (field names are ASCII tokens).
    func equalsIgnoringASCIICase(_ other: some StringProtocol) -> Bool {
        let (mine, theirs) = (self.utf8, other.utf8)
        guard mine.count == theirs.count else { return false }
        return zip(mine, theirs).allSatisfy { a, b in
            a == b || (a | 0x20 == b | 0x20 && (a | 0x20) >= UInt8(ascii: "a") && (a | 0x20) <= UInt8(ascii: "z"))
        }
    }

    /// The string without leading and trailing spaces and tabs.
    fileprivate func trimmingASCIISpaces() -> Substring {
        let text = Substring(self)
        let start = text.firstIndex { $0 != " " && $0 != "\t" } ?? text.endIndex
        let end = text[start...].lastIndex { $0 != " " && $0 != "\t" }.map { text.index(after: $0) } ?? start
        return text[start..<end]
    }
}
