import Foundation
import Primitives
import Testing
import TokenManager

@testable import OAuthTopRuntime

/// The token socket's hand-written `GET /v1/token/{provider}` body (`TokenSocketHandler.tokenJSON`).
@Suite("Token socket: the token body")
struct TokenBodyTests {
    @Test(
        "the body is the JSON object, each string quoted as EventJSON.quote does",
        arguments: [
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl", "a\"quote", "back\\slash", "new\nline",
            "tab\tbell\u{07}", "caf\u{E9} \u{1F511}", "del\u{7F}", "",
        ]
    )
    func body(value: String) throws {
        let expiresAt: Int64 = 1_700_003_600_000_000_000
        let token = AccessToken(value: Secret(value), tokenType: "Bearer", expiresAt: expiresAt)
        let body = TokenSocketHandler.tokenJSON(token, now: 1_700_000_000_500_000_000)
        let expected = "{\"access_token\":" + EventJSON.quote(value)
            + ",\"expires_at\":\"2023-11-14T23:13:20Z\",\"expires_in\":3599,\"token_type\":\"Bearer\"}"
        #expect(body == Array(expected.utf8))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        #expect(object["access_token"] as? String == value)
        #expect(object["expires_in"] as? Int == 3599)
    }

    @Test("a token past its expiry says expires_in 0")
    func expired() {
        let token = AccessToken(value: Secret("t"), tokenType: "Bearer", expiresAt: 1_000_000_000)
        let body = String(decoding: TokenSocketHandler.tokenJSON(token, now: 5_000_000_000), as: UTF8.self)
        #expect(body.contains("\"expires_in\":0,"))
    }
}
