import HTTPTypes
import Hummingbird
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

    /// The raw request-target, as the proxy's channel handler recorded it before HTTP parsing normalised it
    /// (``ProxyTargetRecorder``); always removed before forwarding.
    public static let rawTarget = HTTPField.Name("OAuthtop-Raw-Target")!
    /// The raw method, recorded beside the target (NIO maps unknown methods).
    public static let rawMethod = HTTPField.Name("OAuthtop-Raw-Method")!

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
        var removed = Set(self.hopByHop)
        removed.formUnion(self.connectionOptions(incoming))
        removed.formUnion([self.host, .contentLength, .expect, .authorization, self.rawTarget, self.rawMethod])
        if let name = HTTPField.Name(tokenHeader.name) { removed.insert(name) }
        for name in removing { if let name = HTTPField.Name(name) { removed.insert(name) } }
        var fields = HTTPFields()
        for field in incoming where !removed.contains(field.name) { fields.append(field) }
        fields.append(self.via)
        return fields
    }

    /// The proxy's `Via` entry: the protocol it received (HTTP/1.1) and a pseudonym, no host name or port.
    static let via = HTTPField(name: .via, value: "1.1 oauthtop")

    /// The value of the token header: `SCHEME TOKEN`, or the bare token with an empty scheme.
    static func tokenValue(_ token: String, header: ProxySettings.TokenHeader) -> String {
        header.scheme.isEmpty ? token : "\(header.scheme) \(token)"
    }

    /// The upstream's `Date`, carried past Hummingbird's `Application` (which sets every response's `Date` to its
    /// own clock) to ``ProxyConnectionGuard``, which puts it back in `Date`: a response's `Date` is its origin's
    /// (RFC 9110 §6.6.1), and clients read `Retry-After` dates and rate-limit resets against it. Never sent.
    public static let upstreamDate = HTTPField.Name("OAuthtop-Upstream-Date")!

    /// The fields of an upstream response as sent to the client: without hop-by-hop fields; with the upstream's
    /// `Date` also in ``upstreamDate`` (one the upstream sent itself is dropped).
    public static func clientResponseFields(_ upstream: HTTPFields) -> HTTPFields {
        var removed = Set(self.hopByHop)
        removed.formUnion(self.connectionOptions(upstream))
        removed.insert(self.upstreamDate)
        var fields = HTTPFields()
        for field in upstream where !removed.contains(field.name) { fields.append(field) }
        if let date = upstream[.date] { fields.append(HTTPField(name: self.upstreamDate, value: date)) }
        return fields
    }

    /// The fields named by `Connection` (comma-separated tokens).
    static func connectionOptions(_ fields: HTTPFields) -> [HTTPField.Name] {
        fields[values: .connection].flatMap { value in
            value.split(separator: ",").compactMap { HTTPField.Name(String($0).trimmingOptionalWhitespace) }
        }
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs (RFC 9110 OWS).
    fileprivate var trimmingOptionalWhitespace: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        return String(self.drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }
}
