import TokenManager

/// Tokens from an ``OAuthTokenManager`` in this process: what `oauthtop exec` uses when no daemon
/// runs, and what the daemon's sinks use.
public struct ManagerTokenSource: TokenSource {
    public let manager: OAuthTokenManager

    public init(manager: OAuthTokenManager) { self.manager = manager }

    /// The token events after which a provider's current token may differ.
    static let changeKinds: Set<TokenEvent.Kind> = [.refreshSucceeded, .storeLoaded, .fallbackEngaged, .fallbackEnded]

    public func providerNames() -> [String] { self.manager.providers.map(\.name) }

    public func token(for provider: String) async throws -> AccessToken {
        try await self.manager.token(for: provider)
    }

    public func currentToken(for provider: String) -> AccessToken? {
        self.manager.provider(named: provider).flatMap { self.manager.cachedToken(for: $0) }
    }

    public func onChange(of provider: String, _ action: @escaping @Sendable () -> Void) {
        self.manager.subscribe { event in
            if event.provider == provider, Self.changeKinds.contains(event.kind) { action() }
        }
    }
}
