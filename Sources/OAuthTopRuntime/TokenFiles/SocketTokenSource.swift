import TokenManager

/// Tokens from a running daemon's token socket: what `oauthtop exec` uses when a daemon answers, so many
/// jobs share the daemon's one refresher instead of each running a manager.
///
/// `token(for:)` is `GET /v1/token/{provider}` (the daemon waits for a refresh in flight and hands out
/// only a valid token); the daemon cannot tell its clients about refreshes, so ``onChange(of:_:)`` does
/// nothing and the token file's keeper asks again on its own schedule, halfway to each expiry.
public struct SocketTokenSource: TokenSource {
    public let client: TokenSocketClient

    public init(client: TokenSocketClient) {
        self.client = client
    }

    public func providerNames() async throws -> [String] {
        try await self.client.status().providers.map(\.name)
    }

    public func token(for provider: String) async throws -> AccessToken {
        let token = try await self.client.token(provider: provider)
        guard let expiresAt = token.expiresAtNanoseconds else {
            throw TokenSocketClientError.badResponse("the daemon's expires_at is not an RFC 3339 time")
        }
        return AccessToken(value: token.accessToken, tokenType: token.tokenType, expiresAt: expiresAt)
    }

    public func currentToken(for provider: String) async throws -> AccessToken? {
        try await self.token(for: provider)
    }

    public func onChange(of provider: String, _ action: @escaping @Sendable () -> Void) {}
}
