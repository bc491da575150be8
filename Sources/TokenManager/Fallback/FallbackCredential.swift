import Primitives

/// One entry of a provider's fallback chain: a credential handed out when OAuth cannot give a
/// usable token.
///
/// The chain is consulted only when a refresh failed for good (retries exhausted, breaker open,
/// `invalid_grant`, ...) *and* the provider's cached token has expired or is absent. Entries are
/// tried in order; the first that works is handed out, marked with its ``Method`` in
/// ``AccessToken/fallback``, and counted in `oauth_fallback_auth_used_total{provider, method}`.
///
/// ```swift
/// let github = ProviderConfiguration(
///     name: "github", grant: .refreshToken, tokenEndpoints: [url], clientID: "id",
///     refreshToken: refreshToken,
///     fallback: [
///         .alternateProvider("github-oauth-app"),
///         .githubApp(try GitHubAppInstallation(appID: "12345", installationID: "678", privateKey: pem)),
///         .oauthClient(FallbackOAuthClient(clientID: "spare", clientSecret: spareSecret)),
///         .emergencyKey(
///             Secret(key), maxDuration: .seconds(30 * 60),
///             approvalCommand: ApprovalCommand(["/usr/local/bin/ask-oncall"])
///         ),
///     ]
/// )
/// ```
public struct FallbackCredential: Sendable, Hashable, CustomStringConvertible {
    /// How a fallback credential is obtained; the `method` label of `oauth_fallback_auth_used_total`.
    /// An enum (one byte) rather than a string: every ``AccessToken`` carries one.
    public enum Method: String, Sendable, Hashable, CustomStringConvertible {
        /// The OAuth token of another configured provider.
        case alternateProvider = "alternate_provider"
        /// A GitHub App installation token, obtained with the app's own JWT (``GitHubAppInstallation``).
        case githubApp = "github_app"
        /// A token of a second OAuth client of the same provider (``FallbackOAuthClient``).
        case oauthClient = "oauth_client"
        /// A static key, time-limited per outage and optionally gated by approval.
        case emergencyKey = "emergency_key"

        public var description: String { self.rawValue }
    }

    enum Source: Sendable, Hashable {
        case alternate(provider: String)
        case githubApp(GitHubAppInstallation)
        case oauthClient(FallbackOAuthClient)
        case emergency(
            key: Secret, maxDuration: Duration, approvalFile: String?, approvalCommand: ApprovalCommand?,
            tokenType: String
        )
    }

    let source: Source

    private init(_ source: Source) {
        self.source = source
    }

    /// Hands out the OAuth token of another configured provider.
    ///
    /// The other provider is asked for its own OAuth token only: its fallback chain is never
    /// consulted on behalf of this one, so two providers naming each other cannot loop.
    ///
    /// - Parameter provider: The name of another provider of the same manager.
    public static func alternateProvider(_ provider: String) -> FallbackCredential {
        FallbackCredential(.alternate(provider: provider))
    }

    /// Hands out a GitHub App installation token, cached until shortly before its `expires_at`.
    ///
    /// - Parameter installation: The app, its installation and its private key.
    public static func githubApp(_ installation: GitHubAppInstallation) -> FallbackCredential {
        FallbackCredential(.githubApp(installation))
    }

    /// Hands out a token of a second OAuth client of the same provider, cached until its mandatory
    /// refresh window.
    ///
    /// - Parameter client: The client's credentials and what it overrides of the provider.
    public static func oauthClient(_ client: FallbackOAuthClient) -> FallbackCredential {
        FallbackCredential(.oauthClient(client))
    }

    /// Hands out a static emergency key.
    ///
    /// - Parameters:
    ///   - key: The key, sent as the credential; only its fingerprint is ever shown.
    ///   - maxDuration: How long the key may be used, counted from its first use in the current
    ///     outage; after that it is refused until OAuth recovers (which ends the outage).
    ///   - approvalFile: When set, the key is usable only while this file exists: an operator
    ///     creates it to approve emergency use and deletes it to withdraw approval.
    ///   - approvalCommand: When set, the key is usable only once this command approved it (exit
    ///     status 0) in the current outage; see ``ApprovalCommand``. With an approval file as well,
    ///     both must approve.
    ///   - tokenType: The `Authorization` scheme the key is sent with.
    public static func emergencyKey(
        _ key: Secret,
        maxDuration: Duration,
        approvalFile: String? = nil,
        approvalCommand: ApprovalCommand? = nil,
        tokenType: String = "Bearer"
    ) -> FallbackCredential {
        FallbackCredential(
            .emergency(
                key: key, maxDuration: maxDuration, approvalFile: approvalFile, approvalCommand: approvalCommand,
                tokenType: tokenType
            )
        )
    }

    /// How this entry's credential is obtained.
    public var method: Method {
        switch self.source {
        case .alternate: .alternateProvider
        case .githubApp: .githubApp
        case .oauthClient: .oauthClient
        case .emergency: .emergencyKey
        }
    }

    /// The other provider's name, for an ``Method/alternateProvider`` entry.
    public var alternateProviderName: String? {
        if case .alternate(let provider) = self.source { return provider }
        return nil
    }

    /// The app and installation, for a ``Method/githubApp`` entry.
    public var githubAppInstallation: GitHubAppInstallation? {
        if case .githubApp(let installation) = self.source { return installation }
        return nil
    }

    /// The second client, for an ``Method/oauthClient`` entry.
    public var oauthClient: FallbackOAuthClient? {
        if case .oauthClient(let client) = self.source { return client }
        return nil
    }

    /// The longest use per outage, for an ``Method/emergencyKey`` entry.
    public var maxDuration: Duration? {
        if case .emergency(_, let maxDuration, _, _, _) = self.source { return maxDuration }
        return nil
    }

    /// The approval file, for an ``Method/emergencyKey`` entry that requires approval by file.
    public var approvalFile: String? {
        if case .emergency(_, _, let approvalFile, _, _) = self.source { return approvalFile }
        return nil
    }

    /// The approval command, for an ``Method/emergencyKey`` entry that requires approval by command.
    public var approvalCommand: ApprovalCommand? {
        if case .emergency(_, _, _, let approvalCommand, _) = self.source { return approvalCommand }
        return nil
    }

    /// A failed try of this entry, for ``TokenRefreshError/tried``.
    func attempt(reason: String, detail: String) -> FallbackAttempt {
        FallbackAttempt(method: self.method.rawValue, entry: self.description, reason: reason, detail: detail)
    }

    /// Names the entry without revealing a secret: `alternate provider 'x'`, `GitHub App 12345
    /// installation 678`, `OAuth client 'spare'` or `emergency key secret(sha256:xxxxxxxx)`.
    public var description: String {
        switch self.source {
        case .alternate(let provider): "alternate provider '\(provider)'"
        case .githubApp(let installation): "\(installation)"
        case .oauthClient(let client): "\(client)"
        case .emergency(let key, _, _, _, _): "emergency key \(key)"
        }
    }
}
