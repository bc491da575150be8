import Foundation
import Testing

@testable import TokenManager

@Suite("Token response parsing")
struct TokenResponseParserTests {
    static func parse(_ body: String, contentType: String? = "application/json") throws(AttemptFailure) -> TokenResponse {
        try TokenResponseParser.parseSuccess(body: Array(body.utf8), contentType: contentType, expectedTokenType: "Bearer")
    }

    @Test("a good response is accepted, with rotation and scope")
    func good() throws {
        let response = try Self.parse(
            #"{"access_token":"abc","token_type":"bearer","expires_in":3600,"refresh_token":"r2","scope":"read"}"#
        )
        #expect(response.accessToken.revealed == "abc")
        #expect(response.expiresIn == .seconds(3600))
        #expect(response.refreshToken?.revealed == "r2")
        #expect(response.scope == "read")
    }

    @Test("expires_in as a numeric string is accepted (some providers send one)")
    func stringExpiresIn() throws {
        #expect(try Self.parse(#"{"access_token":"a","token_type":"Bearer","expires_in":"120"}"#).expiresIn == .seconds(120))
    }

    @Test("a JWT with exp may omit expires_in")
    func jwtWithoutExpiresIn() throws {
        let payload = Data(#"{"exp":2000000000}"#.utf8).base64EncodedString()
            .replacingOccurrences(of: "=", with: "")
        let jwt = "eyJhbGciOiJIUzI1NiJ9.\(payload).c2ln"
        let response = try Self.parse(#"{"access_token":"\#(jwt)","token_type":"Bearer"}"#)
        #expect(response.jwtExpiry == 2_000_000_000)
        #expect(response.expiresIn == nil)
    }

    @Test("every broken response is rejected with a reason naming what is wrong", arguments: [
        ("<html><body>502 Bad Gateway</body></html>", "text/html", "html"),
        ("oops", "application/json", "not_json"),
        ("", "application/json", "empty_body"),
        ("[1,2]", "application/json", "not_object"),
        (#"{"token_type":"Bearer","expires_in":60}"#, "application/json", "missing_access_token"),
        (#"{"access_token":"","token_type":"Bearer","expires_in":60}"#, "application/json", "missing_access_token"),
        (#"{"access_token":42,"token_type":"Bearer","expires_in":60}"#, "application/json", "missing_access_token"),
        (#"{"access_token":"opaque","token_type":"Bearer"}"#, "application/json", "missing_expires_in"),
        (#"{"access_token":"a","token_type":"Bearer","expires_in":-5}"#, "application/json", "negative_expires_in"),
        (#"{"access_token":"a","token_type":"Bearer","expires_in":0}"#, "application/json", "negative_expires_in"),
        (#"{"access_token":"a","token_type":"Bearer","expires_in":315360000}"#, "application/json", "absurd_expires_in"),
        (#"{"access_token":"a","token_type":"Bearer","expires_in":true}"#, "application/json", "bad_expires_in"),
        (#"{"access_token":"a","token_type":"mac","expires_in":60}"#, "application/json", "wrong_token_type"),
        (#"{"access_token":"a","expires_in":60}"#, "application/json", "wrong_token_type"),
        (#"{"access_token":"a","token_type":"Bearer","expires_in":60,"refresh_token":7}"#, "application/json", "bad_refresh_token"),
    ])
    func broken(body: String, contentType: String, reason: String) {
        #expect {
            try Self.parse(body, contentType: contentType)
        } throws: { error in
            guard let failure = error as? AttemptFailure else { return false }
            return failure.kind == .badResponse && failure.detail.hasPrefix(reason + ":")
        }
    }

    @Test("RFC 6749 §5.2 error bodies are read; others are not mistaken for them")
    func errorBodies() {
        let parsed = TokenResponseParser.parseError(body: Array(#"{"error":"invalid_grant","error_description":"revoked"}"#.utf8))
        #expect(parsed?.code == "invalid_grant")
        #expect(parsed?.description == "revoked")
        #expect(TokenResponseParser.parseError(body: Array("<html/>".utf8)) == nil)
        #expect(TokenResponseParser.parseError(body: Array(#"{"error":"Not Found!"}"#.utf8)) == nil)
    }

    @Test("Retry-After as seconds and as an HTTP date, measured against the server's Date")
    func retryAfter() throws {
        #expect(HTTPDate.retryAfter("7", serverNow: nil, localNow: 0) == .seconds(7))
        #expect(HTTPDate.retryAfter("-1", serverNow: nil, localNow: 0) == nil)
        #expect(HTTPDate.retryAfter("soon", serverNow: nil, localNow: 0) == nil)
        let server = try #require(HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 GMT"))
        #expect(server == 784_111_777)
        let wait = HTTPDate.retryAfter("Sun, 06 Nov 1994 08:49:42 GMT", serverNow: server, localNow: server + 3600)
        #expect(wait == .seconds(5), "a skewed local clock does not shorten the wait")
        #expect(HTTPDate.parse("Sunday, 06-Nov-94 08:49:37 GMT") == server)
        #expect(HTTPDate.parse("Sun Nov  6 08:49:37 1994") == server)
        #expect(HTTPDate.parse(HTTPDate.format(server)) == server)
    }

    @Test("form encoding follows application/x-www-form-urlencoded")
    func formEncoding() {
        #expect(FormEncoding.encode("a b&c=d/é") == "a+b%26c%3Dd%2F%C3%A9")
        #expect(FormEncoding.encode("AZaz09*-._") == "AZaz09*-._")
    }

    @Test("secrets print only as fingerprints")
    func secretPrinting() {
        let secret = Secret("super-secret-value")
        #expect(!"\(secret)".contains("super-secret"))
        #expect(!String(reflecting: secret).contains("super-secret"))
        var dumped = ""
        dump(secret, to: &dumped)
        #expect(!dumped.contains("super-secret"))
        #expect(secret.fingerprint.count == 8)
        #expect("\(secret)" == "secret(sha256:\(secret.fingerprint))")
    }
}
