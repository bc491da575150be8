/// A request head in the strict subset of HTTP/1.1 that the proxy's wire path (``ProxyWireHandler``) serves from the
/// bytes, without NIO's HTTP parser: the request line `GET|DELETE|OPTIONS SP target SP HTTP/1.1`, plain field lines
/// (a token name, a colon, a value of visible ASCII and spaces), every line ending in CRLF, and no body.
///
/// ``parse(_:)`` says ``Parse/outside(_:)`` to anything beyond that subset: another method or version, a body
/// (`Transfer-Encoding`, a `Content-Length` other than one `0`), `Expect`, `Upgrade`, a `Connection` other than one
/// `keep-alive` or `close`, a folded or malformed line, a bare LF, a tab, a byte that is not visible ASCII (obs-text included), a head
/// longer than ``maxLength``. Such a request goes to NIO's parser, which answers or refuses it. So the wire path never
/// reads a request differently from the parser behind it; it only reads fewer kinds of request
/// (`Fuzz/Sources/FuzzWireHead` checks this against NIO's parser).
public struct WireRequestHead: Sendable, Equatable {
    public enum Method: Sendable, Equatable {
        case get, delete, options

        public var name: String {
            switch self {
            case .get: "GET"
            case .delete: "DELETE"
            case .options: "OPTIONS"
            }
        }
    }

    public var method: Method
    /// The request target, as offsets into the head's bytes.
    public var target: Range<Int>
    /// The field lines, in order.
    public var fields: [WireField]
    /// The head's length, its blank line included: where the next request starts.
    public var length: Int
    /// `Connection: close`: the connection ends after the answer.
    public var closes: Bool

    /// The longest head the wire path reads; a longer one goes to NIO's parser.
    public static let maxLength = 8 * 1024
    /// The most field lines the wire path reads.
    public static let maxFields = 64

    /// What ``parse(_:)`` found.
    public enum Parse: Sendable, Equatable {
        /// The head is not complete yet.
        case incomplete
        /// Not in the subset: NIO's parser reads it (the reason is for tests and the fuzzer).
        case outside(String)
        case head(WireRequestHead)
    }

    /// Parses the head at the start of `bytes` (which may hold more after it).
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> Parse {
        guard let end = WireSyntax.headEnd(bytes, limit: Self.maxLength) else {
            if bytes.count >= Self.maxLength { return .outside("the head is longer than \(Self.maxLength) bytes") }
            // A bare LF may end a line for NIO's parser (and so the head): never wait for a CRLF that may not come.
            return WireSyntax.hasBareLineFeed(bytes) ? .outside("a bare LF") : .incomplete
        }
        var index = 0
        let method: Method
        if WireSyntax.hasPrefix(bytes, "GET ") {
            method = .get
            index = 4
        } else if WireSyntax.hasPrefix(bytes, "DELETE ") {
            method = .delete
            index = 7
        } else if WireSyntax.hasPrefix(bytes, "OPTIONS ") {
            method = .options
            index = 8
        } else {
            return .outside("another method")
        }
        // Origin-form only (`/path?query`): the request guard refuses every other form anyway.
        guard index < end, bytes[index] == UInt8(ascii: "/") else { return .outside("not an origin-form target") }
        let targetStart = index
        while index < end, WireSyntax.isVisible(bytes[index]) { index += 1 }
        let target = targetStart..<index
        guard !target.isEmpty, index < end, bytes[index] == UInt8(ascii: " ") else { return .outside("the request target") }
        index += 1
        guard WireSyntax.matches(bytes, at: index, "HTTP/1.1\r\n") else { return .outside("the version") }
        index += 10

        var sawLength = false
        let read = WireSyntax.fieldLines(bytes, from: index, end: end) { field in
            switch field.kind {
            case .transferEncoding, .expect, .upgrade:
                return "a field the wire path does not serve"
            case .contentLength:
                // NIO's parser refuses a repeated Content-Length, even with equal values.
                guard !sawLength, WireSyntax.equals(bytes, field.value, "0") else { return "a body" }
                sawLength = true
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
        return .head(WireRequestHead(method: method, target: target, fields: fields, length: end + 2, closes: closes))
    }
}

/// A field line of a head on the wire: its name and value (without the white space around it) as offsets into the
/// head's bytes, and what the name is, for the fields the proxy treats apart.
public struct WireField: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case other
        case authorization, proxyAuthorization, host, contentLength, transferEncoding, connection, expect, upgrade
        /// `Keep-Alive`, `Proxy-Connection`, `TE`, `Trailer`, `Proxy-Authenticate`: hop-by-hop, never forwarded.
        case hopByHop
        case wwwAuthenticate
    }

    public var name: Range<Int>
    public var value: Range<Int>
    public var kind: Kind
}

/// The byte-level grammar the wire heads share (RFC 9112 §2, §5; strict: CRLF only, no obs-fold, no obs-text).
enum WireSyntax {
    /// Where the blank line that ends the head starts (the index of the `\r\n` after the last field's `\r\n`),
    /// looking no further than `limit` bytes.
    static func headEnd(_ bytes: UnsafeRawBufferPointer, limit: Int) -> Int? {
        let count = min(bytes.count, limit)
        guard count >= 4 else { return nil }
        var index = 0
        while index + 3 < count {
            // Step on the LF of CRLF CRLF: the byte 3 ahead tells how far to skip.
            let probe = bytes[index + 3]
            if probe != 0x0A {
                index += probe == 0x0D ? 1 : 4
                continue
            }
            if bytes[index] == 0x0D, bytes[index + 1] == 0x0A, bytes[index + 2] == 0x0D { return index + 2 }
            index += 1
        }
        return nil
    }

    /// What a `Connection` value says when it is one `close` or `keep-alive` (any case): whether the connection closes;
    /// `nil` for anything else (options naming other fields, a list), which the wire path leaves to NIO's parser.
    static func connectionCloses(_ bytes: UnsafeRawBufferPointer, _ value: Range<Int>) -> Bool? {
        if self.equalsIgnoringCase(bytes, value, "close") { return true }
        if self.equalsIgnoringCase(bytes, value, "keep-alive") { return false }
        return nil
    }

    /// Whether an LF in `bytes` is not after a CR.
    static func hasBareLineFeed(_ bytes: UnsafeRawBufferPointer) -> Bool {
        for index in bytes.indices where bytes[index] == 0x0A {
            if index == 0 || bytes[index - 1] != 0x0D { return true }
        }
        return false
    }

    /// Why a head is outside the subset.
    struct Outside: Error {
        let reason: String
    }

    /// Reads the field lines from `index` to `end` (the blank line): each a plain line, at most
    /// ``WireRequestHead/maxFields`` of them, `Connection` once and only `close` or `keep-alive`; `check` says why any
    /// other field puts the head outside the subset, or `nil`.
    ///
    /// - Returns: The fields in order, and whether `Connection: close` was among them.
    static func fieldLines(
        _ bytes: UnsafeRawBufferPointer, from index: Int, end: Int, check: (WireField) -> String?
    ) -> Result<(fields: [WireField], closes: Bool), Outside> {
        var index = index
        var fields: [WireField] = []
        fields.reserveCapacity(12)
        var closes = false
        var sawConnection = false
        while index < end {
            guard fields.count < WireRequestHead.maxFields, let field = self.fieldLine(bytes, at: &index, end: end) else {
                return .failure(Outside(reason: "a field line"))
            }
            if field.kind == .connection {
                guard !sawConnection, let close = self.connectionCloses(bytes, field.value) else {
                    return .failure(Outside(reason: "a repeated Connection, or one with options"))
                }
                sawConnection = true
                closes = close
            } else if let reason = check(field) {
                return .failure(Outside(reason: reason))
            }
            fields.append(field)
        }
        return .success((fields, closes))
    }

    /// Reads the field line at `index` (up to its CRLF) and moves `index` past it; `nil` when it is not a plain
    /// `token ":" OWS value OWS` line.
    static func fieldLine(_ bytes: UnsafeRawBufferPointer, at index: inout Int, end: Int) -> WireField? {
        let nameStart = index
        while index < end, self.isTokenCharacter(bytes[index]) { index += 1 }
        let name = nameStart..<index
        guard !name.isEmpty, index < end, bytes[index] == UInt8(ascii: ":") else { return nil }
        index += 1
        while index < end, bytes[index] == 0x20 { index += 1 }
        let valueStart = index
        var valueEnd = index
        while index < end {
            let byte = bytes[index]
            if byte == 0x0D { break }
            // (Tabs are left to NIO's parser, which keeps some of them where RFC 9110 trims them.)
            guard self.isVisible(byte) || byte == 0x20 else { return nil }
            index += 1
            if byte != 0x20 { valueEnd = index }
        }
        // The line ends in CRLF (the head's end is a CRLF too, so `index + 1` is inside the bytes). White space before
        // it is left to NIO's parser, which keeps it in the value.
        guard index < end, bytes[index + 1] == 0x0A, valueEnd == index else { return nil }
        index += 2
        return WireField(name: name, value: valueStart..<valueEnd, kind: self.kind(bytes, name))
    }

    /// What a field name is, by its length first (most names are none of these).
    static func kind(_ bytes: UnsafeRawBufferPointer, _ name: Range<Int>) -> WireField.Kind {
        switch name.count {
        case 2: return self.equalsIgnoringCase(bytes, name, "te") ? .hopByHop : .other
        case 4: return self.equalsIgnoringCase(bytes, name, "host") ? .host : .other
        case 6: return self.equalsIgnoringCase(bytes, name, "expect") ? .expect : .other
        case 7:
            if self.equalsIgnoringCase(bytes, name, "upgrade") { return .upgrade }
            return self.equalsIgnoringCase(bytes, name, "trailer") ? .hopByHop : .other
        case 10:
            if self.equalsIgnoringCase(bytes, name, "connection") { return .connection }
            return self.equalsIgnoringCase(bytes, name, "keep-alive") ? .hopByHop : .other
        case 13: return self.equalsIgnoringCase(bytes, name, "authorization") ? .authorization : .other
        case 14: return self.equalsIgnoringCase(bytes, name, "content-length") ? .contentLength : .other
        case 16:
            if self.equalsIgnoringCase(bytes, name, "proxy-connection") { return .hopByHop }
            return self.equalsIgnoringCase(bytes, name, "www-authenticate") ? .wwwAuthenticate : .other
        case 17: return self.equalsIgnoringCase(bytes, name, "transfer-encoding") ? .transferEncoding : .other
        case 18: return self.equalsIgnoringCase(bytes, name, "proxy-authenticate") ? .hopByHop : .other
        case 19: return self.equalsIgnoringCase(bytes, name, "proxy-authorization") ? .proxyAuthorization : .other
        default: return .other
        }
    }

    static func isVisible(_ byte: UInt8) -> Bool { byte > 0x20 && byte < 0x7F }

    /// A `tchar` of RFC 9110 §5.6.2.
    static func isTokenCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
            UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    static func hasPrefix(_ bytes: UnsafeRawBufferPointer, _ prefix: StaticString) -> Bool {
        self.matches(bytes, at: 0, prefix)
    }

    /// Whether `literal` is at `index` (exactly).
    static func matches(_ bytes: UnsafeRawBufferPointer, at index: Int, _ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        let start = literal.utf8Start
        for offset in 0..<count where bytes[index + offset] != start[offset] { return false }
        return true
    }

    /// Whether the bytes in `range` are `literal` (exactly).
    static func equals(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, _ literal: StaticString) -> Bool {
        range.count == literal.utf8CodeUnitCount && self.matches(bytes, at: range.lowerBound, literal)
    }

    /// Whether the bytes in `range` are `literal` (lowercase) ignoring ASCII case.
    static func equalsIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, _ literal: StaticString) -> Bool {
        guard range.count == literal.utf8CodeUnitCount else { return false }
        let start = literal.utf8Start
        var offset = 0
        for index in range {
            let byte = bytes[index]
            let lower = byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
            if lower != start[offset] { return false }
            offset += 1
        }
        return true
    }

    /// Whether the bytes in `range` equal `other` ignoring ASCII case.
    static func equalsIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, _ other: [UInt8]) -> Bool {
        guard range.count == other.count else { return false }
        var offset = 0
        for index in range {
            let a = bytes[index]
            let b = other[offset]
            if a != b {
                let lower = a | 0x20
                guard lower == b | 0x20, lower >= UInt8(ascii: "a"), lower <= UInt8(ascii: "z") else { return false }
            }
            offset += 1
        }
        return true
    }
}
