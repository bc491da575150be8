import AsyncHTTPClient
import DemoIdentityProvider
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import OAuthTopTestKit
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A known HS256 key (32 bytes) so tests can verify tokens independently of the provider.
let testSigningKey = Array("0123456789abcdef0123456789abcdef".utf8)
let testClient = DemoClient(id: "test-client", secret: "s3cret with spaces & symbols:%")
let otherClient = DemoClient(id: "other-client", secret: "other-secret-value")

func testConfiguration(
    rotate: Bool = true,
    signing: DemoSigning? = nil,
    lifetime: Duration = .seconds(60)
) throws -> DemoIdentityProviderConfiguration {
    DemoIdentityProviderConfiguration(
        clients: [testClient, otherClient],
        tokenLifetime: lifetime,
        signing: try signing ?? .hs256(key: testSigningKey),
        issuer: "https://issuer.test",
        rotateRefreshTokens: rotate
    )
}

/// A running provider, its endpoints and an HTTP client, for one test.
struct Harness: Sendable {
    let provider: DemoIdentityProvider
    let endpoints: [DemoEndpoint]
    let client: HTTPClient
    let logs: LogCapture

    var primary: DemoEndpoint { self.endpoints[0] }
    var secondary: DemoEndpoint { self.endpoints[1] }
}

/// Runs the provider in a task, hands the harness to `body`, then cancels the provider and shuts the client down.
func withProvider<T: Sendable>(
    _ configuration: DemoIdentityProviderConfiguration? = nil,
    schedule: FaultSchedule = .none,
    _ body: @Sendable (Harness) async throws -> T
) async throws -> T {
    let logs = LogCapture()
    let provider = DemoIdentityProvider(
        configuration: try configuration ?? testConfiguration(),
        schedule: schedule,
        logger: logs.logger(label: "demo-idp-test")
    )
    let client = HTTPClient(eventLoopGroupProvider: .singleton)
    let result: Result<T, any Error>
    do {
        result = try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await provider.run() }
            let outcome: Result<T, any Error>
            do {
                let endpoints = try await provider.waitUntilListening(timeout: .seconds(20))
                let harness = Harness(provider: provider, endpoints: endpoints, client: client, logs: logs)
                outcome = .success(try await body(harness))
            } catch {
                outcome = .failure(error)
            }
            group.cancelAll()
            try await group.waitForAll()
            return outcome
        }
    } catch {
        result = .failure(error)
    }
    try await client.shutdown()
    return try result.get()
}

/// A response, fully read.
struct Reply: Sendable {
    let status: Int
    let headers: [(String, String)]
    let body: [UInt8]

    func header(_ name: String) -> String? {
        self.headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    var text: String { String(decoding: self.body, as: UTF8.self) }

    var json: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(self.body))) as? [String: Any]
    }

    var error: String? { self.json?["error"] as? String }
}

/// Encodes a form parameter the way RFC 6749 Appendix B says.
func formComponent(_ text: String) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._*")
    let encoded = text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    return encoded.replacingOccurrences(of: "%20", with: "+")
}

enum ClientAuthentication: String, Sendable, CaseIterable, CustomTestStringConvertible {
    case basic, body
    var testDescription: String { self.rawValue }
}

func basicHeader(id: String, secret: String) -> String {
    let credentials = formComponent(id) + ":" + formComponent(secret)
    return "Basic " + Data(credentials.utf8).base64EncodedString()
}

extension Harness {
    /// POSTs a token request.
    func token(
        _ parameters: [(String, String)],
        auth: ClientAuthentication? = .basic,
        client authClient: DemoClient = testClient,
        to endpoint: DemoEndpoint? = nil,
        method: HTTPMethod = .POST,
        contentType: String? = "application/x-www-form-urlencoded",
        extraHeaders: [(String, String)] = [],
        timeout: TimeAmount = .seconds(10)
    ) async throws -> Reply {
        var parameters = parameters
        var request = HTTPClientRequest(url: (endpoint ?? self.primary).url)
        request.method = method
        switch auth {
        case .basic:
            request.headers.add(name: "Authorization", value: basicHeader(id: authClient.id, secret: authClient.secret))
        case .body:
            parameters += [("client_id", authClient.id), ("client_secret", authClient.secret)]
        case nil:
            break
        }
        if let contentType {
            request.headers.add(name: "Content-Type", value: contentType)
        }
        for (name, value) in extraHeaders {
            request.headers.add(name: name, value: value)
        }
        let form = parameters.map { formComponent($0.0) + "=" + formComponent($0.1) }.joined(separator: "&")
        if method == .POST {
            request.body = .bytes(ByteBuffer(string: form))
        }
        let response = try await self.client.execute(request, timeout: timeout)
        let body = try await response.body.collect(upTo: 1 << 20)
        return Reply(
            status: Int(response.status.code),
            headers: response.headers.map { ($0.name, $0.value) },
            body: Array(body.readableBytesView)
        )
    }

    func clientCredentials(to endpoint: DemoEndpoint? = nil, timeout: TimeAmount = .seconds(10)) async throws -> Reply {
        try await self.token([("grant_type", "client_credentials")], to: endpoint, timeout: timeout)
    }
}

