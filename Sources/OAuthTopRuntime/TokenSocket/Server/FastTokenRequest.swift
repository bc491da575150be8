/// A request head the event-loop fast path may answer without the HTTP parser: the strict subset of
/// HTTP/1.1 that a token client sends (`GET /v1/token/NAME HTTP/1.1`, plain header lines, no body).
///
/// ``parse(_:)`` says `nil` to anything outside that subset (another method or path, HTTP/1.0, a
/// body, `Connection` other than `keep-alive`, `Expect`, `Upgrade`, a repeated `Authorization`, a
/// folded or malformed header line, a byte that is not visible ASCII): such a request goes to the
/// full HTTP parser, which answers or refuses it. So the fast path never reads a request differently
/// from the parser behind it; it only reads fewer kinds of request (`Fuzz/Sources/FuzzFastTokenRequest`
/// checks this against NIO's parser).
public struct FastTokenRequest: Equatable, Sendable {
    /// The provider named in the path.
    public var provider: String
    /// The `Authorization` header's value, if sent.
    public var authorization: String?

    /// The longest head the fast path reads; a longer one goes to the HTTP parser.
    public static let maxHeadLength = 8 * 1024

    private static let prefix: [UInt8] = Array("GET /v1/token/".utf8)
    private static let version: [UInt8] = Array(" HTTP/1.1".utf8)

    /// Whether `bytes`, the start of a request, can still begin a request the fast path answers:
    /// `false` lets the caller hand the connection to the HTTP parser before the head is complete.
    public static func mayStartFastRequest(_ bytes: some Collection<UInt8>) -> Bool {
        zip(bytes, Self.prefix).allSatisfy { $0 == $1 }
    }

    /// Parses a complete head: the request line and header lines, each ending in CRLF, without the
    /// blank line that ends the head.
    ///
    /// - Returns: The request, or `nil` when the fast path must leave it to the HTTP parser.
    public static func parse(_ head: some Collection<UInt8>) -> FastTokenRequest? {
        var lines = Lines(Array(head))
        guard let requestLine = lines.next() else { return nil }
        guard requestLine.count > Self.prefix.count + Self.version.count,
            requestLine.starts(with: Self.prefix), requestLine.suffix(Self.version.count).elementsEqual(Self.version)
        else { return nil }
        let target = requestLine.dropFirst(4).dropLast(Self.version.count)
        guard target.allSatisfy(Self.isVisible) else { return nil }
        guard case .token(let provider)? = try? SocketRoute.parse(method: "GET", target: String(decoding: target, as: UTF8.self))
        else { return nil }

        var authorization: String?
        var sawLength = false
        while let line = lines.next() {
            guard let field = HeaderLine(line) else { return nil }
            switch field.name {
            case "authorization":
                guard authorization == nil else { return nil }
                authorization = field.value
            case "content-length":
                // NIO's parser refuses a repeated Content-Length, even with equal values (found by the fuzzer).
                guard field.value == "0", !sawLength else { return nil }
                sawLength = true
            case "connection":
                guard field.value == "keep-alive" else { return nil }
            case "transfer-encoding", "expect", "upgrade":
                return nil
            default:
                break
            }
        }
        guard !lines.malformed else { return nil }
        return FastTokenRequest(provider: provider, authorization: authorization)
    }

    static func isVisible(_ byte: UInt8) -> Bool { byte > 0x20 && byte < 0x7F }

    /// The head's lines, split at CRLF; a bare CR or LF makes the head malformed.
    private struct Lines {
        let bytes: [UInt8]
        var start = 0
        var malformed = false

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        mutating func next() -> ArraySlice<UInt8>? {
            guard !self.malformed, self.start < self.bytes.count else { return nil }
            var index = self.start
            while index < self.bytes.count {
                let byte = self.bytes[index]
                if byte == 0x0D {
                    guard index + 1 < self.bytes.count, self.bytes[index + 1] == 0x0A else {
                        self.malformed = true
                        return nil
                    }
                    let line = self.bytes[self.start..<index]
                    self.start = index + 2
                    return line
                }
                if byte == 0x0A {
                    self.malformed = true
                    return nil
                }
                index += 1
            }
            // A head ends with CRLF: a last line without one is malformed.
            self.malformed = true
            return nil
        }
    }

    /// `name: value` with a token name (RFC 9110 §5.1) and a value of visible ASCII, spaces and tabs.
    private struct HeaderLine {
        /// Lowercased.
        let name: String
        /// Without the optional white space around it.
        let value: String

        init?(_ line: ArraySlice<UInt8>) {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex else { return nil }
            let name = line[line.startIndex..<colon]
            guard name.allSatisfy(Self.isTokenCharacter) else { return nil }
            let rawValue = line[(colon + 1)...]
            guard rawValue.allSatisfy({ FastTokenRequest.isVisible($0) || $0 == 0x20 || $0 == 0x09 }) else { return nil }
            let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 }
            let value = rawValue.drop(while: isSpace).reversed().drop(while: isSpace).reversed()
            self.name = String(decoding: name.map { $0 | (($0 >= 0x41 && $0 <= 0x5A) ? 0x20 : 0) }, as: UTF8.self)
            self.value = String(decoding: value, as: UTF8.self)
        }

        private static let tokenSymbols: [UInt8] = Array("!#$%&'*+-.^_`|~".utf8)

        private static func isTokenCharacter(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"):
                return true
            default:
                return Self.tokenSymbols.contains(byte)
            }
        }
    }
}
