import Foundation
import Hummingbird
import OAuthTopRuntime
import OAuthTopTestKit
import Testing
import TokenManager

@Suite("Token socket endpoints")
struct SocketEndpointTests {
    @Test("curl --unix-socket gets a valid token as {access_token, token_type, expires_at, expires_in}")
    func curlGetsToken() async throws {
        try await withSocketServer { fixture in
            let (status, body) = try await curl(socket: fixture.listening.path, "/v1/token/idp")
            #expect(status == 200)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
            #expect(Set(object.keys) == ["access_token", "token_type", "expires_at", "expires_in"])
            let token = try JSONDecoder().decode(SocketToken.self, from: Data(body.utf8))
            let cached = try #require(fixture.manager.cachedToken(for: fixture.provider))
            #expect(token.accessToken == cached.value)
            #expect(token.tokenType == "Bearer")
            #expect(token.expiresAtNanoseconds.map { abs($0 - cached.expiresAt) < 1_000_000_000 } == true)
            #expect((290...300).contains(token.expiresIn))
            #expect(!"\(token)".contains(cached.value.revealed), "printing a SocketToken shows a fingerprint")
            // A second request is served from memory.
            _ = try await curl(socket: fixture.listening.path, "/v1/token/idp")
            #expect(fixture.tokenEndpointRequests == 1)
            #expect(fixture.requests(outcome: "success") == 2)
        }
    }

    @Test("a failed refresh is a 503 with the typed error's message and no secret; refresh of all reports each")
    func refreshFailure() async throws {
        var options = SocketOptions()
        options.extraProviders = [try unreachableProvider()]
        try await withSocketServer(options) { fixture in
            let socket = fixture.listening.path
            let (status, body) = try await curl(socket: socket, "/v1/token/broken")
            #expect(status == 503)
            let error = try JSONDecoder().decode(SocketErrorBody.self, from: Data(body.utf8))
            #expect(error.error == "refresh_failed")
            #expect(error.message.contains("broken") && error.message.contains("connection_refused"))
            #expect(!body.contains("broken-provider-secret"))
            #expect(fixture.requests(provider: "broken", outcome: "refresh_failed") == 1)

            let client = TokenSocketClient(endpoint: .unix(socket))
            let outcome = try await client.refresh(provider: nil)
            #expect(!outcome.succeeded)
            #expect(outcome.results.map(\.provider) == ["idp", "broken"])
            #expect(outcome.results.map(\.outcome) == ["refreshed", "failed"])
            let cached = fixture.manager.cachedToken(for: fixture.provider)
            #expect(outcome.results[0].tokenFingerprint == cached?.value.fingerprint)
            #expect(outcome.results[1].reason != nil)
            #expect(!outcome.text.contains(cached?.value.revealed ?? "-"))

            do {
                _ = try await client.token(provider: "nope")
                Issue.record("an unknown provider gave a token")
            } catch let error as TokenSocketClientError {
                #expect(error.code == .server && error.status == 404 && error.body?.error == "unknown_provider")
            }
            do {
                _ = try await client.refresh(provider: "nope")
                Issue.record("an unknown provider was refreshed")
            } catch let error as TokenSocketClientError {
                #expect(error.status == 404)
            }
        }
    }

    @Test("POST /v1/refresh/{provider} refreshes now (a new token) through the manager's manual refresh")
    func manualRefresh() async throws {
        try await withSocketServer { fixture in
            let client = TokenSocketClient(endpoint: .unix(fixture.listening.path))
            let first = try await client.token(provider: "idp")
            let outcome = try await client.refresh(provider: "idp")
            #expect(outcome.succeeded)
            let second = try await client.token(provider: "idp")
            #expect(first.accessToken != second.accessToken)
            #expect(outcome.results.first?.tokenFingerprint == second.accessToken.fingerprint)
            #expect(fixture.tokenEndpointRequests == 2)
        }
    }

    @Test("GET /v1/status lists providers, the daemon and the consumers seen (pid and uid from SO_PEERCRED)")
    func status() async throws {
        try await withSocketServer { fixture in
            let client = TokenSocketClient(endpoint: .unix(fixture.listening.path))
            _ = try await client.token(provider: "idp")
            let status = try await client.status()
            #expect(status.daemon.pid == getpid())
            #expect(status.daemon.socket == fixture.listening.path)
            let provider = try #require(status.providers.first)
            #expect(provider.name == "idp" && provider.phase == "fresh" && provider.breaker == "closed")
            let cached = fixture.manager.cachedToken(for: fixture.provider)
            #expect(provider.tokenFingerprint == cached?.value.fingerprint)
            #expect(provider.fallbackInUse == nil && !provider.refreshing && provider.expiresIn ?? 0 > 200)
            let consumer = try #require(status.consumers.first)
            #expect(consumer.pid == getpid() && consumer.uid == getuid() && consumer.transport == "unix")
            #expect(consumer.requests == 2 && consumer.lastProvider == "idp")
            #expect(status.text.contains("idp") && status.text.contains("CONSUMERS"))
        }
    }

    @Test("a client with no daemon says so and how to start one")
    func noDaemon() async throws {
        let path = "/tmp/oauthtop-none-\(UUID().uuidString.prefix(8))/oauthtop.sock"
        do {
            _ = try await TokenSocketClient(endpoint: .unix(path)).status()
            Issue.record("a status without a daemon succeeded")
        } catch {
            #expect(error.code == .noDaemon)
            #expect(
                error.description
                    == "no oauthtop daemon at \(path): start `oauthtop run --headless` (or give --socket PATH)"
            )
        }
    }

    @Test("the default socket path is under XDG_RUNTIME_DIR, else a per-user directory under /tmp")
    func defaultPath() {
        let runtime = ["XDG_RUNTIME_DIR": "/run/user/1000"]
        #expect(TokenSocketPath.defaultPath(environment: runtime) == "/run/user/1000/oauthtop/oauthtop.sock")
        let relative = ["XDG_RUNTIME_DIR": "relative"]
        #expect(TokenSocketPath.defaultPath(environment: relative, uid: 7) == "/tmp/oauthtop-7/oauthtop.sock")
        #expect(TokenSocketPath.defaultPath(environment: [:], uid: 1000) == "/tmp/oauthtop-1000/oauthtop.sock")
        #expect(TokenSocketPath.forClient(explicit: nil, environment: ["OAUTHTOP_SOCKET": "/x.sock"]) == "/x.sock")
        let variable = ["OAUTHTOP_SOCKET": "/x.sock"]
        #expect(TokenSocketPath.forClient(explicit: "/y.sock", environment: variable) == "/y.sock")
    }
}

@Suite("Token socket: endpoints added by other features")
struct SocketRoutesTests {
    @Test("an added route runs behind the peer check and sees the peer; other paths stay 404")
    func addedRoute() async throws {
        var options = SocketOptions()
        options.routes = { router in
            router.get("/v1/whoami") { _, context in "pid \(context.peer.pid ?? -1) uid \(context.peer.uid ?? 0)" }
        }
        try await withSocketServer(options) { fixture in
            let (status, body) = try await curl(socket: fixture.listening.path, "/v1/whoami")
            #expect(status == 200)
            #expect(body.hasPrefix("pid ") && body.hasSuffix("uid \(getuid())"))
            let (missing, _) = try await curl(socket: fixture.listening.path, "/v1/whoami/x")
            #expect(missing == 404)
        }
    }
}
