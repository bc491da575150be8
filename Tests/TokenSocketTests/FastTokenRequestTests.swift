import Testing

@testable import OAuthTopRuntime

/// The fast path's head parser: the strict subset it answers, and `nil` (the HTTP parser's turn) for
/// everything else.
@Suite("Fast path request heads")
struct FastTokenRequestTests {
    private func parse(_ head: String) -> FastTokenRequest? {
        FastTokenRequest.parse(Array(head.utf8))
    }

    @Test("a token client's head: the provider and the Authorization value, header names in any case")
    func accepted() {
        #expect(self.parse("GET /v1/token/github HTTP/1.1\r\n") == FastTokenRequest(provider: "github", authorization: nil))
        #expect(
            self.parse("GET /v1/token/github HTTP/1.1\r\nHost: localhost\r\nauthorization:  Bearer abc \r\n")
                == FastTokenRequest(provider: "github", authorization: "Bearer abc")
        )
        #expect(
            self.parse("GET /v1/token/github HTTP/1.1\r\nCONTENT-LENGTH: 0\r\nConnection: keep-alive\r\nUser-Agent: curl/7.88\r\n")
                == FastTokenRequest(provider: "github", authorization: nil)
        )
        #expect(self.parse("GET /v1/token/github?x=1 HTTP/1.1\r\n")?.provider == "github")
    }

    @Test(
        "anything outside the subset goes to the HTTP parser",
        arguments: [
            "POST /v1/token/github HTTP/1.1\r\n",
            "GET /v1/status HTTP/1.1\r\n",
            "GET /v1/token/ HTTP/1.1\r\n",
            "GET /v1/token/github HTTP/1.0\r\n",
            "GET /v1/token/github HTTP/1.1 \r\n",
            "GET  /v1/token/github HTTP/1.1\r\n",
            "GET /v1/token/git hub HTTP/1.1\r\n",
            "GET /v1/token/github HTTP/1.1",
            "GET /v1/token/github HTTP/1.1\n",
            "GET /v1/token/github HTTP/1.1\r\nHost: a\rb\r\n",
            "GET /v1/token/github HTTP/1.1\r\nHost: a\nb\r\n",
            "GET /v1/token/github HTTP/1.1\r\nHost: a\r\n folded\r\n",
            "GET /v1/token/github HTTP/1.1\r\nHost : a\r\n",
            "GET /v1/token/github HTTP/1.1\r\n: a\r\n",
            "GET /v1/token/github HTTP/1.1\r\nNo colon\r\n",
            "GET /v1/token/github HTTP/1.1\r\nX: caf\u{e9}\r\n",
            "GET /v1/token/github HTTP/1.1\r\nX: a\u{0}b\r\n",
            "GET /v1/token/github HTTP/1.1\r\nContent-Length: 5\r\n",
            "GET /v1/token/github HTTP/1.1\r\nContent-Length: 0\r\nContent-Length: 0 0\r\n",
            "GET /v1/token/github HTTP/1.1\r\nTransfer-Encoding: chunked\r\n",
            // FuzzFastTokenRequest's first find: NIO's parser refuses a repeated Content-Length.
            "GET /v1/token/2Fb?x=1 HTTP/1.1\r\nContent-Length: 0\r\nConxection:eepET /v1/token/2Fb?x=1 HTTP/1.1\r\n"
                + "Content-Length: 0\r\nConxection:eep-alive\r\n",
            "GET /v1/token/github HTTP/1.1\r\nConnection: close\r\n",
            "GET /v1/token/github HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n",
            "GET /v1/token/github HTTP/1.1\r\nExpect: 100-continue\r\n",
            "GET /v1/token/github HTTP/1.1\r\nAuthorization: Bearer a\r\nAuthorization: Bearer b\r\n",
            "GET /v1/token/\(String(repeating: "a", count: 300)) HTTP/1.1\r\n",
            "",
        ]
    )
    func refused(head: String) {
        #expect(self.parse(head) == nil)
    }

    @Test("a partial request still may start a fast one only while it spells `GET /v1/token/`")
    func prefix() {
        #expect(FastTokenRequest.mayStartFastRequest(Array("GE".utf8)))
        #expect(FastTokenRequest.mayStartFastRequest(Array("GET /v1/token/git".utf8)))
        #expect(!FastTokenRequest.mayStartFastRequest(Array("POST /v1".utf8)))
        #expect(!FastTokenRequest.mayStartFastRequest(Array("GET /v1/status".utf8)))
    }
}
