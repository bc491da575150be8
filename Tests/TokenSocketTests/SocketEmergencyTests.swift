import Foundation
import OAuthTopRuntime
import OAuthTopTestKit
import Testing
import TokenManager

/// A provider in emergency mode (no method gives it a token): `GET /v1/token/P` answers a 503 that says so and
/// lists what was tried; the client, `oauthtop token`/`exec` and `oauthtop status` show the list.
@Suite("Token socket: emergency mode")
struct SocketEmergencyTests {
    static let emergencyKey = "socket-emergency-key-0123456789-abcdefghijklmnop"

    /// `broken` (its endpoint refuses connections) with a chain of `broken2` (refusing too) and an emergency key
    /// whose approval file does not exist.
    static func options(approvalFile: String) throws -> SocketOptions {
        var broken = try unreachableProvider()
        broken.fallback = [
            .alternateProvider("broken2"),
            .emergencyKey(Secret(Self.emergencyKey), maxDuration: .seconds(600), approvalFile: approvalFile),
        ]
        var options = SocketOptions()
        options.extraProviders = [broken, try unreachableProvider(name: "broken2")]
        return options
    }

    @Test("every method failing: 503 refresh_failed, emergency true, each method with entry, reason and detail")
    func tokenAnswer() async throws {
        let approval = "/nonexistent-\(UUID().uuidString)/approve"
        try await withSocketServer(try Self.options(approvalFile: approval)) { fixture in
            let socket = fixture.listening.path
            let (status, body) = try await curl(socket: socket, "/v1/token/broken")
            #expect(status == 503)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
            #expect(Set(object.keys) == ["error", "message", "emergency", "provider", "tried"], "\(body)")
            #expect(object["emergency"] as? Bool == true)
            let tried = try #require(object["tried"] as? [[String: String]])
            for entry in tried { #expect(Set(entry.keys) == ["method", "entry", "reason", "detail"]) }
            #expect(tried.map { $0["method"] } == ["oauth", "alternate_provider", "emergency_key"])
            #expect(tried.map { $0["reason"] } == ["connection_refused", "alternate_failed", "not_approved"])
            #expect(tried[0]["entry"] == "OAuth")
            #expect(tried[1]["entry"] == "alternate provider 'broken2'")
            #expect(tried[1]["detail"]?.contains("broken2") == true)
            #expect(tried[2]["entry"] == "emergency key secret(sha256:\(Secret.fingerprint(of: Self.emergencyKey)))")
            #expect(tried[2]["detail"]?.contains(approval) == true)
            let error = try JSONDecoder().decode(SocketErrorBody.self, from: Data(body.utf8))
            #expect(error.error == "refresh_failed" && error.isEmergency && error.provider == "broken")
            #expect(fixture.requests(provider: "broken", outcome: "refresh_failed") == 1)
            for secret in [Self.emergencyKey, "broken-provider-secret"] { #expect(!body.contains(secret)) }

            // What `oauthtop token` and `exec` print: one line per method.
            let client = TokenSocketClient(endpoint: .unix(socket))
            do {
                _ = try await client.token(provider: "broken")
                Issue.record("a provider in emergency mode gave a token")
            } catch let error as TokenSocketClientError {
                let text = error.description
                #expect(text.contains("broken is in emergency mode, no method gives a token; tried:"), "\(text)")
                #expect(text.contains("\n  1) OAuth ("), "\(text)")
                #expect(text.contains("\n  2) alternate provider 'broken2' (alternate_failed): "), "\(text)")
                #expect(text.contains("\n  3) emergency key secret(sha256:"), "\(text)")
                #expect(!text.contains(Self.emergencyKey))
            }

            // `oauthtop status`: the provider's emergency, and an EMERGENCY section.
            let daemon = try await client.status()
            let provider = try #require(daemon.providers.first { $0.name == "broken" })
            #expect(provider.emergency?.tried.map(\.method) == ["oauth", "alternate_provider", "emergency_key"])
            #expect(daemon.providers.first { $0.name == "idp" }?.emergency == nil)
            let text = daemon.text
            #expect(text.contains("EMERGENCY broken: no method gives a token since "), "\(text)")
            #expect(text.contains("  3) emergency key secret(sha256:"), "\(text)")
            #expect(!text.contains(Self.emergencyKey))
            let json = String(decoding: try JSONEncoder().encode(daemon), as: UTF8.self)
            #expect(json.contains("\"emergency\":{"), "\(json)")
        }
    }

    @Test("a provider without a chain: OAuth was its only method, and the answer lists it")
    func withoutChain() async throws {
        var options = SocketOptions()
        options.extraProviders = [try unreachableProvider()]
        try await withSocketServer(options) { fixture in
            let (status, body) = try await curl(socket: fixture.listening.path, "/v1/token/broken")
            #expect(status == 503)
            let error = try JSONDecoder().decode(SocketErrorBody.self, from: Data(body.utf8))
            #expect(error.isEmergency)
            #expect(error.tried?.map(\.method) == ["oauth"])
            #expect(error.tried?.first?.reason == "connection_refused")
            // A healthy provider is still served, from the fast path.
            let (ok, _) = try await curl(socket: fixture.listening.path, "/v1/token/idp")
            #expect(ok == 200)
        }
    }

    @Test("an error body without emergency fields decodes and explains as before")
    func plainBody() throws {
        let body = try JSONDecoder().decode(
            SocketErrorBody.self, from: Data(#"{"error":"refresh_failed","message":"m"}"#.utf8)
        )
        #expect(!body.isEmergency && body.tried == nil && body.explanation == "m")
    }
}
