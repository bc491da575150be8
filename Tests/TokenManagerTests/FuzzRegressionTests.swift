import Foundation
import Testing
import TokenManager

/// Inputs `scripts/fuzz` found crashing a parser, kept so the crash stays fixed (the raw files are in
/// Fuzz/Regressions/).
@Suite("Fuzz regressions: token endpoint responses and HTTP dates")
struct FuzzRegressionTests {
    /// FuzzHTTPDate, 2026-12-05: a `Retry-After` (or `Date`) value with non-ASCII characters made
    /// Foundation's `DateFormatter` trap ("Incorrect range CFRange(location: 0, length: 3)"): a token
    /// endpoint's header could crash oauthtop. Non-ASCII text is now not a date.
    @Test("a non-ASCII Retry-After or Date value is unreadable, not a crash")
    func nonASCIIRetryAfter() throws {
        let input = try #require(Data(base64Encoded: "U00KU3Vu3LGQid/O3884OjQ5OjM3IDk0"))
        let lines = String(decoding: input, as: UTF8.self).split(separator: "\n", maxSplits: 1)
        let date = String(lines[0])
        let retryAfter = String(lines[1])
        #expect(HTTPDate.parse(date) == nil)
        #expect(HTTPDate.parse(retryAfter) == nil)
        #expect(HTTPDate.retryAfter(retryAfter, serverNow: nil, localNow: 1_796_000_000) == nil)
        #expect(HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 GMT\u{00e9}") == nil)
        // Real dates still parse.
        #expect(HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 GMT") == 784_111_777)
        #expect(HTTPDate.parse("Sunday, 06-Nov-94 08:49:37 GMT") == 784_111_777)
        #expect(HTTPDate.parse("Sun Nov  6 08:49:37 1994") == 784_111_777)
    }

    /// FuzzTokenResponse, 2026-12-05: an `expires_in` of 4.4e60 (a number past `Int64`) trapped while the
    /// "absurd expires_in" error message was built ("Double value cannot be converted to Int"): a token
    /// endpoint's answer could crash oauthtop. It is now refused with that error, the number shown as sent.
    @Test("an expires_in past Int64 is refused as absurd, not a crash")
    func hugeExpiresIn() throws {
        let huge = String(repeating: "4", count: 58) + "3600"
        let body = #"{"access_token":"at-1","token_type":"Bearer","expires_in":"# + huge + #","refresh_token":"rt-2"}"#
        let error = #expect(throws: AttemptFailure.self) {
            try TokenResponseParser.parseSuccess(
                body: Array(body.utf8), contentType: "application/json", expectedTokenType: "Bearer"
            )
        }
        #expect(error?.detail.hasPrefix("absurd_expires_in: expires_in is 4.4") == true)
    }
}
