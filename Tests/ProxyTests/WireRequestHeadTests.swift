import OAuthTopRuntime
import Testing

@Suite("API proxy: the wire path's strict request parser")
struct WireRequestHeadTests {
    private func parse(_ text: String) -> WireRequestHead.Parse {
        Array(text.utf8).withUnsafeBytes { WireRequestHead.parse($0) }
    }

    @Test("a plain GET: method, target, fields with the spaces before their values skipped, and the head's length")
    func plainGet() throws {
        let text = "GET /v1/items?a=1 HTTP/1.1\r\nHost: x\r\nAuthorization:  Bearer s\r\nX-Empty:\r\n\r\nGET / HTTP/1.1\r\n"
        guard case .head(let head) = self.parse(text) else {
            Issue.record("not parsed: \(self.parse(text))")
            return
        }
        let bytes = Array(text.utf8)
        func string(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }
        #expect(head.method == .get)
        #expect(string(head.target) == "/v1/items?a=1")
        #expect(head.fields.map { string($0.name) } == ["Host", "Authorization", "X-Empty"])
        #expect(head.fields.map { string($0.value) } == ["x", "Bearer s", ""])
        #expect(head.fields.map(\.kind) == [.host, .authorization, .other])
        #expect(head.length == text.utf8.count - "GET / HTTP/1.1\r\n".utf8.count)
        #expect(!head.closes)
    }

    @Test(
        "Connection: close ends the connection; keep-alive and Content-Length: 0 are in the subset",
        arguments: [
            ("DELETE /x HTTP/1.1\r\nConnection: Close\r\n\r\n", true),
            ("OPTIONS /x HTTP/1.1\r\nconnection: keep-alive\r\nContent-Length: 0\r\n\r\n", false),
            ("GET / HTTP/1.1\r\n\r\n", false),
        ]
    )
    func connection(text: String, closes: Bool) {
        guard case .head(let head) = self.parse(text) else {
            Issue.record("not parsed")
            return
        }
        #expect(head.closes == closes)
    }

    @Test("a head not complete yet waits for more bytes", arguments: ["", "GET / HTTP/1.1\r\n", "GET / HTTP/1.1\r\nHost: x\r\n\r"])
    func incomplete(text: String) {
        #expect(self.parse(text) == .incomplete)
    }

    @Test(
        "anything outside the subset goes to NIO's parser",
        arguments: [
            "POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi",  // another method, a body
            "HEAD / HTTP/1.1\r\n\r\n",  // HEAD: its answer has no body
            "get / HTTP/1.1\r\n\r\n",  // methods are case-sensitive
            "GET / HTTP/1.0\r\n\r\n",  // another version
            "GET  / HTTP/1.1\r\n\r\n",  // two spaces
            "GET /a b HTTP/1.1\r\n\r\n",  // a space in the target
            "GET /\u{7F} HTTP/1.1\r\n\r\n",  // DEL in the target
            "\r\nGET / HTTP/1.1\r\n\r\n",  // a leading empty line
            "GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
            "GET / HTTP/1.1\r\nContent-Length: 1\r\n\r\nx",
            "GET / HTTP/1.1\r\nContent-Length: 0\r\nContent-Length: 0\r\n\r\n",
            "GET / HTTP/1.1\r\nContent-Length: 00\r\n\r\n",
            "GET / HTTP/1.1\r\nExpect: 100-continue\r\n\r\n",
            "GET / HTTP/1.1\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n",
            "GET / HTTP/1.1\r\nConnection: keep-alive, X-Hop\r\n\r\n",
            "GET / HTTP/1.1\r\nConnection: close\r\nConnection: close\r\n\r\n",
            "GET / HTTP/1.1\r\nHost : x\r\n\r\n",  // white space before the colon
            "GET / HTTP/1.1\r\n Host: x\r\n\r\n",  // obs-fold
            "GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n",
            "GET / HTTP/1.1\r\nX: a\nY: b\r\n\r\n",  // a bare LF
            "GET / HTTP/1.1\r\nX: a\rY: b\r\n\r\n",  // a bare CR
            "GET / HTTP/1.1\r\nX: caf\u{E9}\r\n\r\n",  // obs-text
            "GET / HTTP/1.1\r\nX: \u{1}\r\n\r\n",  // a control character
            "GET / HTTP/1.1\r\nNoColon\r\n\r\n",
            "GET / HTTP/1.1\r\n: empty name\r\n\r\n",
            "GET / HTTP/1.1\n\n",  // bare LFs: never waited on
            "GET / HTTP/1.1\nHost: x",
            "GET / HTTP/1.1\r\nX-Tab:\ta\r\n\r\n",  // tabs are NIO's to read
            "GET / HTTP/1.1\r\nX-Trailing: a \r\n\r\n",  // NIO's parser keeps trailing spaces
        ]
    )
    func outside(text: String) {
        guard case .outside = self.parse(text) else {
            Issue.record("read as \(self.parse(text))")
            return
        }
    }

    @Test("a head longer than the limit, or with more fields than the limit, goes to NIO's parser")
    func limits() {
        let long = "GET /" + String(repeating: "a", count: WireRequestHead.maxLength) + " HTTP/1.1\r\n\r\n"
        guard case .outside = self.parse(long) else {
            Issue.record("a long head read")
            return
        }
        let many = "GET / HTTP/1.1\r\n" + String(repeating: "X: y\r\n", count: WireRequestHead.maxFields + 1) + "\r\n"
        guard case .outside = self.parse(many) else {
            Issue.record("too many fields read")
            return
        }
    }
}
