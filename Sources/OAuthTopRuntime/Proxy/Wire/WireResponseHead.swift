/// An upstream's response head in the strict subset of HTTP/1.1 that the proxy's wire path passes on from the bytes,
/// without NIO's HTTP parser: the status line `HTTP/1.1 CODE REASON`, plain field lines (as ``WireRequestHead``
/// reads them), and a body of exactly one `Content-Length` (none for 204 and 304).
///
/// ``parse(_:maxBody:)`` says ``Parse/outside(_:)`` to anything beyond that subset: another version, an interim (1xx)
/// answer, `Transfer-Encoding`, no length or more than one, a length above `maxBody`, `Upgrade`, a `Connection` other
/// than one `keep-alive` or `close`, a `WWW-Authenticate` (the auth-error rule reads it), a folded or malformed line, a
/// tab, a byte that is not visible ASCII. Such a response goes to NIO's parser on the upstream connection, and on
/// through the proxy's other path (streamed, or settled: refreshed and replayed, blocked and retried).
/// `Fuzz/Sources/FuzzWireHead` checks that NIO's parser reads every response this one reads alike.
public struct WireResponseHead: Sendable, Equatable {
    public var status: Int
    /// The field lines, in order.
    public var fields: [WireField]
    /// The head's length, its blank line included: where the body starts.
    public var length: Int
    /// The body's length (0 for 204 and 304, which have none).
    public var bodyLength: Int
    /// `Connection: close`: the upstream closes the connection after the body.
    public var closes: Bool

    /// The longest head the wire path reads.
    public static let maxLength = 16 * 1024

    /// What ``parse(_:maxBody:)`` found.
    public enum Parse: Sendable, Equatable {
        case incomplete
        case outside(String)
        case head(WireResponseHead)
    }

    /// Parses the head at the start of `bytes` (its body may follow).
    public static func parse(_ bytes: UnsafeRawBufferPointer, maxBody: Int) -> Parse {
        guard let end = WireSyntax.headEnd(bytes, limit: Self.maxLength) else {
            if bytes.count >= Self.maxLength { return .outside("the head is longer than \(Self.maxLength) bytes") }
            return WireSyntax.hasBareLineFeed(bytes) ? .outside("a bare LF") : .incomplete
        }
        guard WireSyntax.hasPrefix(bytes, "HTTP/1.1 "), end >= 13 else { return .outside("the version") }
        var status = 0
        for index in 9..<12 {
            let digit = bytes[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return .outside("the status") }
            status = status * 10 + Int(digit)
        }
        guard status >= 200, bytes[12] == UInt8(ascii: " ") else { return .outside("the status") }
        var index = 13
        while index < end, bytes[index] != 0x0D {
            guard WireSyntax.isVisible(bytes[index]) || bytes[index] == 0x20 else { return .outside("the reason") }
            index += 1
        }
        guard index < end, bytes[index + 1] == 0x0A else { return .outside("the status line") }
        index += 2

        var length: Int?
        let read = WireSyntax.fieldLines(bytes, from: index, end: end) { field in
            switch field.kind {
            case .transferEncoding, .upgrade, .wwwAuthenticate:
                return "a field the wire path does not pass on"
            case .contentLength:
                guard length == nil, !field.value.isEmpty, field.value.count <= 9 else { return "the length" }
                var value = 0
                for index in field.value {
                    let digit = bytes[index] &- UInt8(ascii: "0")
                    guard digit < 10 else { return "the length" }
                    value = value * 10 + Int(digit)
                }
                length = value
                return nil
            default:
                return nil
            }
        }
        let fields: [WireField]
        let closes: Bool
        switch read {
        case .success(let result): (fields, closes) = result
        case .failure(let outside): return .outside(outside.reason)
        }
        let bodyless = status == 204 || status == 304
        if !bodyless {
            guard let length else { return .outside("no length") }
            guard length <= maxBody else { return .outside("a body longer than \(maxBody) bytes") }
        }
        return .head(
            WireResponseHead(
                status: status, fields: fields, length: end + 2, bodyLength: bodyless ? 0 : length!, closes: closes
            )
        )
    }

    /// Whether the client gets `field` (hop-by-hop fields and, for a status without a body, its length stay here).
    public func passes(_ field: WireField) -> Bool {
        switch field.kind {
        case .hopByHop, .connection, .proxyAuthorization, .transferEncoding, .upgrade:
            false
        case .contentLength:
            self.status != 204 && self.status != 304
        case .other, .authorization, .host, .expect, .wwwAuthenticate:
            true
        }
    }
}
