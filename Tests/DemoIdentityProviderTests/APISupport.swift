import AsyncHTTPClient
import DemoIdentityProvider
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// A test configuration whose API has this quota.
func apiConfiguration(quota: DemoAPIQuota? = DemoAPIQuota()) throws -> DemoIdentityProviderConfiguration {
    var configuration = try testConfiguration()
    configuration.api.quota = quota
    return configuration
}

/// The quota fields of an answer, parsed the way a client reads them.
struct QuotaFields: Equatable {
    var policy: String
    var limit: Int
    var window: Int
    var remaining: Int
    var reset: Int
    /// `X-RateLimit-Reset`: the reset as Unix seconds.
    var resetAt: Int

    /// Reads `RateLimit-Policy: "NAME";q=Q;w=W` and `RateLimit: "NAME";r=R;t=T` (the IETF draft's
    /// structured-field form), and checks that the `X-RateLimit-*` trio says the same.
    init?(_ reply: Reply) {
        guard let policyField = reply.header("RateLimit-Policy"), let field = reply.header("RateLimit") else {
            return nil
        }
        func parameters(_ text: String) -> (name: String, values: [String: Int])? {
            let parts = text.split(separator: ";")
            guard let first = parts.first, first.hasPrefix("\""), first.hasSuffix("\""), first.count >= 2 else {
                return nil
            }
            var values: [String: Int] = [:]
            for part in parts.dropFirst() {
                let pair = part.split(separator: "=", maxSplits: 1)
                guard pair.count == 2, let value = Int(pair[1]) else { return nil }
                values[String(pair[0])] = value
            }
            return (String(first.dropFirst().dropLast()), values)
        }
        guard let policy = parameters(policyField), let current = parameters(field), policy.name == current.name,
            let limit = policy.values["q"], let window = policy.values["w"], let remaining = current.values["r"],
            let reset = current.values["t"]
        else { return nil }
        guard reply.header("X-RateLimit-Limit") == "\(limit)", reply.header("X-RateLimit-Remaining") == "\(remaining)",
            let resetAt = reply.header("X-RateLimit-Reset").flatMap({ Int($0) })
        else { return nil }
        self.policy = policy.name
        self.limit = limit
        self.window = window
        self.remaining = remaining
        self.reset = reset
        self.resetAt = resetAt
    }
}

extension Harness {
    /// A client-credentials access token.
    func accessToken() async throws -> String {
        try #require(try await self.clientCredentials().json?["access_token"] as? String)
    }

    /// Calls the API: `path` is under `/api/v1`, e.g. `/items/42`.
    func api(
        _ path: String,
        method: HTTPMethod = .GET,
        token: String?,
        json: String? = nil,
        contentType: String? = "application/json",
        on endpoint: DemoEndpoint? = nil
    ) async throws -> Reply {
        let target = endpoint ?? self.primary
        var request = HTTPClientRequest(url: "http://\(target.host):\(target.port)/api/v1\(path)")
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let json {
            if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
            request.body = .bytes(ByteBuffer(string: json))
        }
        let response = try await self.client.execute(request, timeout: .seconds(20))
        let body = try await response.body.collect(upTo: 1 << 20)
        return Reply(
            status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
            body: Array(body.readableBytesView)
        )
    }

    /// A completion request naming `model`.
    func complete(model: String, token: String?, on endpoint: DemoEndpoint? = nil) async throws -> Reply {
        try await self.api(
            "/complete", method: .POST, token: token, json: #"{"model":"\#(model)","prompt":"Say hello."}"#,
            on: endpoint
        )
    }
}
