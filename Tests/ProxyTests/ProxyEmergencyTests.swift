import Foundation
import OAuthTopTestKit
import Testing
import TokenManager

/// A proxy whose provider is in emergency mode (no method gives it a token) answers 502 `token_unavailable`
/// that says so and lists what was tried, as the token socket does, and sends nothing upstream.
@Suite("API proxy: emergency mode")
struct ProxyEmergencyTests {
    @Test("the provider's token endpoint refusing connections: emergency true, OAuth tried, nothing forwarded")
    func emergencyAnswer() async throws {
        let refusing = try RefusingLoopbackPort()
        var options = ProxyOptions()
        options.tokenEndpoint = "http://127.0.0.1:\(refusing.port)/oauth/token"
        try await withProxy(options) { proxy in
            defer { withExtendedLifetime(refusing) {} }
            let answer = try await curl(proxy.url + "/v1/items", bearer: try proxy.secret)
            #expect(answer.status == 502, "\(answer.body)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any])
            #expect(object["error"] as? String == "token_unavailable")
            #expect(object["emergency"] as? Bool == true, "\(answer.body)")
            #expect(object["provider"] as? String == ProxyFixture.providerName)
            #expect(object["proxy"] as? String == "api")
            let tried = try #require(object["tried"] as? [[String: String]], "\(answer.body)")
            #expect(tried.map { $0["method"] } == ["oauth"])
            #expect(tried.first?["entry"] == "OAuth")
            #expect(tried.first?["reason"] == "connection_refused", "\(answer.body)")
            #expect(tried.allSatisfy { Set($0.keys) == ["method", "entry", "reason", "detail"] })
            #expect(proxy.upstream.received.isEmpty, "nothing goes upstream without a token")
            #expect(!answer.body.contains(ProxyFixture.clientSecret))
            #expect(!answer.body.contains(try proxy.secret))
        }
    }
}
