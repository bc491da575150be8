import AsyncHTTPClient
import Foundation
import Logging
import OAuthTopRuntime
import OAuthTopTestKit
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Who may connect, and the modes of the files the socket makes. Tests that connect as another uid
/// need root (to drop to `nobody` with setpriv); they are skipped otherwise.
@Suite("Token socket access")
struct SocketAccessTests {
    static let nobody: UInt32 = 65534
    static var isRoot: Bool { getuid() == 0 }

    @Test("the socket file is 0600 by default and its directory, made by the server, 0700")
    func defaultModes() async throws {
        let parent = "/tmp/oauthtop-dir-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: parent) }
        try await withSocketServer { fixture in
            #expect(fileMode(fixture.listening.path)?.mode == 0o600)
            // The directory of a configured path that does not exist yet is created private.
            let configuration = TokenSocketConfiguration(path: parent + "/run/oauthtop.sock")
            let listening = Mutex(false)
            let server = TokenSocketServer(
                configuration: configuration, handler: try Self.handler(fixture, path: configuration.path),
                logger: Logger(label: "t") { _ in SwiftLogNoOpLogHandler() },
                onListening: { _ in listening.withLock { $0 = true } }
            )
            let task = Task { try await server.run() }
            #expect(await eventually { listening.withLock { $0 } })
            #expect(fileMode(parent + "/run")?.mode == 0o700)
            #expect(fileMode(configuration.path)?.mode == 0o600)
            task.cancel()
            _ = await task.result
            #expect(fileMode(configuration.path) == nil, "the socket file is removed on the way out")
        }
    }

    @Test("a configured mode (\"0660\") and group are applied to the socket file")
    func configuredModeAndGroup() async throws {
        var options = SocketOptions()
        options.mode = 0o660
        options.groupID = Self.isRoot ? Self.nobody : UInt32(getgid())
        let groupID = options.groupID
        try await withSocketServer(options) { fixture in
            let file = try #require(fileMode(fixture.listening.path))
            #expect(file.mode == 0o660)
            #expect(UInt32(file.gid) == groupID)
        }
    }

    @Test("a second server on a live socket's path refuses to start instead of stealing it")
    func inUse() async throws {
        try await withSocketServer { fixture in
            let server = TokenSocketServer(
                configuration: fixture.configuration, handler: try Self.handler(fixture, path: fixture.listening.path),
                logger: Logger(label: "t") { _ in SwiftLogNoOpLogHandler() }
            )
            await #expect(throws: TokenSocketError.self) { try await server.run() }
            let (status, _) = try await curl(socket: fixture.listening.path, "/v1/status")
            #expect(status == 200, "the first server still serves")
        }
    }

    @Test("a connection from another uid is refused with 403 and counted", .enabled(if: isRoot))
    func otherUIDRefused() async throws {
        var options = SocketOptions()
        // The file permissions let everyone connect, so only the SO_PEERCRED check stands in the way.
        options.mode = 0o666
        options.directoryMode = 0o755
        try await withSocketServer(options) { fixture in
            let (status, body) = try await curl(
                socket: fixture.listening.path, "/v1/token/\(SocketFixture.providerName)", asUser: Self.nobody
            )
            #expect(status == 403)
            #expect(body.contains("forbidden") && body.contains("uid 65534"))
            #expect(!body.contains("access_token"))
            #expect(fixture.requests(provider: "none", outcome: "forbidden") == 1)
            #expect(fixture.tokenEndpointRequests == 0, "a refused request never reaches the manager")
            let (ownStatus, _) = try await curl(socket: fixture.listening.path, "/v1/token/idp")
            #expect(ownStatus == 200, "the daemon's own uid is served")
        }
    }

    @Test("a member of the configured group (by the peer's gid) is served", .enabled(if: isRoot))
    func groupMemberServed() async throws {
        var options = SocketOptions()
        options.mode = 0o660
        options.groupID = Self.nobody
        options.directoryMode = 0o755
        try await withSocketServer(options) { fixture in
            let (status, body) = try await curl(
                socket: fixture.listening.path, "/v1/token/\(SocketFixture.providerName)", asUser: Self.nobody,
                group: Self.nobody
            )
            #expect(status == 200)
            #expect(body.contains("access_token"))
            let status2 = try await curl(
                socket: fixture.listening.path, "/v1/status", asUser: Self.nobody, group: Self.nobody
            )
            let decoded = try JSONDecoder().decode(SocketStatus.self, from: Data(status2.body.utf8))
            #expect(decoded.consumers.contains { $0.uid == Self.nobody && $0.transport == "unix" && $0.pid != nil })
        }
    }

    @Test("TCP: a missing or wrong bearer secret gets 401; the secret file's is served; the file is 0600")
    func tcpBearer() async throws {
        var options = SocketOptions()
        options.tcp = true
        try await withSocketServer(options) { fixture in
            let url = try #require(fixture.listening.tcpURL)
            #expect(url.hasPrefix("http://127.0.0.1:"))
            let secretFile = try #require(fixture.listening.secretFile)
            #expect(fileMode(secretFile)?.mode == 0o600)
            let secret = try BearerSecret.read(from: secretFile)
            let path = "/v1/token/\(SocketFixture.providerName)"
            for header in [nil, "Bearer wrong", "Basic " + String(secret.authorizationHeader.dropFirst(7))] {
                var request = HTTPClientRequest(url: url + path)
                if let header { request.headers.add(name: "Authorization", value: header) }
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
                #expect(response.status.code == 401, "Authorization: \(header == nil ? "none" : "a wrong one")")
                #expect(response.headers["WWW-Authenticate"] == ["Bearer"])
                let body = String(buffer: try await response.body.collect(upTo: 1 << 16))
                #expect(!body.contains("access_token"))
            }
            #expect(fixture.requests(provider: "none", outcome: "unauthorized") == 3)
            let client = TokenSocketClient(endpoint: .tcp(baseURL: url, secret: secret))
            let token = try await client.token(provider: SocketFixture.providerName)
            #expect(token.expiresIn > 200)
            #expect(fixture.tokenEndpointRequests == 1)
        }
    }

    static func handler(_ fixture: SocketFixture, path: String) throws -> TokenSocketHandler {
        TokenSocketHandler(
            manager: fixture.manager, socketPath: path,
            metrics: TokenRequestMetrics(consumer: "socket", providers: [], factory: fixture.metrics)
        )
    }
}
