import Primitives

/// A second OAuth client of the same provider, whose token is a fallback credential.
///
/// It helps when the provider's own client is the problem (its secret rotated or revoked, its
/// refresh token revoked, its rate limit or quota exhausted) while the identity provider still
/// issues tokens. The token request is the provider's own refresh round (same transport, timeout
/// ladder, RFC 6749 error classes) with this client's credentials and, where set, its grant, scopes
/// and token endpoints; one attempt per endpoint, since a caller is waiting. Its token is cached
/// until its mandatory refresh window, sized by the provider's refresh policy.
public struct FallbackOAuthClient: Sendable, Hashable, CustomStringConvertible {
    public var clientID: String
    public var clientSecret: Secret?
    /// `client_credentials` unless set; `refresh_token` needs ``refreshToken``.
    public var grant: GrantType
    /// For the `refresh_token` grant. A rotated one is kept in memory for this process only.
    public var refreshToken: Secret?
    /// The provider's when `nil`.
    public var clientAuthentication: ClientAuthentication?
    /// The provider's when `nil`.
    public var scopes: [String]?
    /// The provider's when `nil`.
    public var tokenEndpoints: [String]?

    public init(
        clientID: String,
        clientSecret: Secret? = nil,
        grant: GrantType = .clientCredentials,
        refreshToken: Secret? = nil,
        clientAuthentication: ClientAuthentication? = nil,
        scopes: [String]? = nil,
        tokenEndpoints: [String]? = nil
    ) {
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.grant = grant
        self.refreshToken = refreshToken
        self.clientAuthentication = clientAuthentication
        self.scopes = scopes
        self.tokenEndpoints = tokenEndpoints
    }

    public var description: String { "OAuth client '\(self.clientID)'" }

    /// The provider's configuration with this client's credentials and overrides: what its refresh
    /// round runs with. One attempt per endpoint; no fallback of its own.
    func configuration(of provider: ProviderConfiguration) -> ProviderConfiguration {
        var configuration = provider
        configuration.clientID = self.clientID
        configuration.clientSecret = self.clientSecret
        configuration.grant = self.grant
        configuration.refreshToken = self.refreshToken
        if let clientAuthentication = self.clientAuthentication {
            configuration.clientAuthentication = clientAuthentication
        }
        if let scopes = self.scopes { configuration.scopes = scopes }
        if let tokenEndpoints = self.tokenEndpoints { configuration.tokenEndpoints = tokenEndpoints }
        configuration.retry.maxAttempts = 1
        configuration.fallback = []
        return configuration
    }
}
