import NIOHTTP1
import OAuthTopConfig

/// The header rules of the proxy (RFC 9110 §7.6.1): hop-by-hop fields never cross it, in either direction;
/// on the way up the client's credentials, `Host` and the proxy's own fields are removed and the token
/// header is set.
///
/// The rules work on NIO's headers as parsed, in one pass each way: the request's and the response's fields are
/// converted to swift-http-types' only once, for the hooks (``ProxyHooks``).
public enum ProxyHeaders {
    /// Whether `name` is a hop-by-hop field, removed both ways besides every field `Connection` names:
    /// `Connection`, `Keep-Alive`, `Proxy-Connection`, `Proxy-Authenticate`, `Proxy-Authorization`, `TE`, `Trailer`,
    /// `Transfer-Encoding`, `Upgrade` (any case). Every field name of every message is checked, so by length first.
    static func isHopByHop(_ name: String) -> Bool {
        switch name.utf8.count {
        case 2: name.equalsIgnoringASCIICase("te")
        case 7: name.equalsIgnoringASCIICase("upgrade") || name.equalsIgnoringASCIICase("trailer")
        case 10: name.equalsIgnoringASCIICase("connection") || name.equalsIgnoringASCIICase("keep-alive")
        case 16: name.equalsIgnoringASCIICase("proxy-connection")
        case 17: name.equalsIgnoringASCIICase("transfer-encoding")
        case 18: name.equalsIgnoringASCIICase("proxy-authenticate")
        case 19: name.equalsIgnoringASCIICase("proxy-authorization")
        default: false
        }
    }

    /// Whether `name` is one that never goes up besides hop-by-hop fields: `Host` (the upstream's is sent),
    /// `Content-Length` (set from the body sent), `Expect` (the proxy answers it), `Authorization` (the client's
    /// credentials).
    static func isConsumedOnTheWayUp(_ name: String) -> Bool {
        switch name.utf8.count {
        case 4: name.equalsIgnoringASCIICase("host")
        case 6: name.equalsIgnoringASCIICase("expect")
        case 13: name.equalsIgnoringASCIICase("authorization")
        case 14: name.equalsIgnoringASCIICase("content-length")
        default: self.isHopByHop(name)
        }
    }

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
        var fields = self.without(incoming) { name in
            self.isConsumedOnTheWayUp(name)
                || name.equalsIgnoringASCIICase(tokenHeader.name)
                || (!removing.isEmpty && removing.contains(where: { name.equalsIgnoringASCIICase($0) }))
        }
        fields.add(name: self.via.name, value: self.via.value)
        return fields
    }

    /// The fields of an upstream response as sent to the client: without hop-by-hop fields.
    public static func clientResponseFields(_ upstream: HTTPHeaders) -> HTTPHeaders {
        self.without(upstream, dropping: self.isHopByHop)
    }

    /// `headers` without the fields whose names `drops` says (hop-by-hop ones among them) and those `Connection`
    /// names: the same headers when it drops none, else a copy with those names removed (most messages carry one or
    /// two, and removing them from a copy is cheaper than adding every other field to a new one).
    private static func without(_ headers: HTTPHeaders, dropping drops: (String) -> Bool) -> HTTPHeaders {
        var dropped: [String] = []
        var options: [Substring] = []
        func drop(_ name: String) {
            if !dropped.contains(where: { $0.equalsIgnoringASCIICase(name) }) { dropped.append(name) }
        }
        for (name, value) in headers where drops(name) {
            if name.utf8.count == 10, name.equalsIgnoringASCIICase("connection") { self.connectionOptions(value, into: &options) }
            drop(name)
        }
        if !options.isEmpty {
            for (name, _) in headers where options.contains(where: { name.equalsIgnoringASCIICase($0) }) { drop(name) }
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

    /// Whether `value` can be sent as a field value as it is: visible ASCII, spaces and tabs. Every access token
    /// is (RFC 6749 Appendix A.12: `1*VSCHAR`), but it comes from outside: the one value the proxy sends that NIO's
    /// parser or the configuration's did not check, so it is checked before it is attached, once per token
    /// (``ProxyPipeline/tokenField(_:)``; the pipelines run without NIO's outbound header validation, which would
    /// check every field of every message again).
    static func isSafeFieldValue(_ value: String) -> Bool {
        var value = value
        return value.withUTF8 { bytes in
            bytes.allSatisfy { byte in byte == 0x09 || (byte >= 0x20 && byte <= 0x7E) }
        }
    }

    /// The fields a `Connection` value names (comma-separated tokens), besides `close` and `keep-alive` (which
    /// name no field but `Keep-Alive`, hop-by-hop anyway), appended to `names`.
    public static func connectionOptions(_ value: String, into names: inout [Substring]) {
        // Most values are one `keep-alive` or `close`; the others are split by hand on the bytes (`split` built an
        // array for each, and trimming by `Character` segmented graphemes).
        if value.equalsIgnoringASCIICase("keep-alive") || value.equalsIgnoringASCIICase("close") { return }
        let bytes = value.utf8
        func isSpace(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        var start = bytes.startIndex
        while start < bytes.endIndex {
            let comma = bytes[start...].firstIndex(of: UInt8(ascii: ",")) ?? bytes.endIndex
            var (lower, upper) = (start, comma)
            while lower < upper, isSpace(bytes[lower]) { lower = bytes.index(after: lower) }
            while upper > lower, isSpace(bytes[bytes.index(before: upper)]) { upper = bytes.index(before: upper) }
            let option = value[lower..<upper]
            start = comma == bytes.endIndex ? comma : bytes.index(after: comma)
            if option.isEmpty || option.equalsIgnoringASCIICase("close") || option.equalsIgnoringASCIICase("keep-alive") {
                continue
            }
            names.append(option)
        }
    }
}

extension StringProtocol {
    /// Whether the string equals `other` ignoring ASCII case (field names are ASCII tokens).
    func equalsIgnoringASCIICase(_ other: some StringProtocol) -> Bool {
        // Native strings (all that NIO's parser and the configuration make) compare as contiguous bytes.
        let contiguous = self.utf8.withContiguousStorageIfAvailable { mine in
            other.utf8.withContiguousStorageIfAvailable { theirs in asciiCaseInsensitiveEqual(mine, theirs) }
        }
        if let contiguous, let result = contiguous { return result }
        return asciiCaseInsensitiveEqual(Array(self.utf8), Array(other.utf8))
    }
}

/// Whether two byte strings are equal ignoring the case of ASCII letters.
private func asciiCaseInsensitiveEqual(
    _ mine: some RandomAccessCollection<UInt8>, _ theirs: some RandomAccessCollection<UInt8>
) -> Bool {
    guard mine.count == theirs.count else { return false }
    for (a, b) in zip(mine, theirs) where a != b {
        let lower = a | 0x20
        guard lower == b | 0x20, lower >= UInt8(ascii: "a"), lower <= UInt8(ascii: "z") else { return false }
    }
    return true
}
