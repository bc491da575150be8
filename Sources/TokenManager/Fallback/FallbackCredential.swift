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
///         .alternateProvider("github-app"),
///         .emergencyKey(Secret(key), maxDuration: .seconds(30 * 60), approvalFile: "/run/oauthtop/approve"),
///     ]
/// )
/// ```
public struct FallbackCredential: Sendable, Hashable, CustomStringConvertible {
    /// How a fallback credential is obtained; the `method` label of `oauth_fallback_auth_used_total`.
    /// An enum (one byte) rather than a string: every ``AccessToken`` carries one.
    public enum Method: String, Sendable, Hashable, CustomStringConvertible {
        /// The OAuth token of another configured provider (e.g. a GitHub App installation token).
        case alternateProvider = "alternate_provider"
        /// A static key, time-limited per outage and optionally gated by an approval file.
        case emergencyKey = "emergency_key"

        public var description: String { self.rawValue }
    }

    enum Source: Sendable, Hashable {
        case alternate(provider: String)
        case emergency(key: Secret, maxDuration: Duration, approvalFile: String?, tokenType: String)
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

    /// Hands out a static emergency key.
    ///
    /// - Parameters:
    ///   - key: The key, sent as the credential; only its fingerprint is ever shown.
    ///   - maxDuration: How long the key may be used, counted from its first use in the current
    ///     outage; after that it is refused until OAuth recovers (which ends the outage).
    ///   - approvalFile: When set, the key is usable only while this file exists: an operator
    ///     creates it to approve emergency use and deletes it to withdraw approval.
    ///   - tokenType: The `Authorization` scheme the key is sent with.
    public static func emergencyKey(
        _ key: Secret,
        maxDuration: Duration,
        approvalFile: String? = nil,
        tokenType: String = "Bearer"
    ) -> FallbackCredential {
        FallbackCredential(
            .emergency(key: key, maxDuration: maxDuration, approvalFile: approvalFile, tokenType: tokenType)
        )
    }

    /// How this entry's credential is obtained.
    public var method: Method {
        switch self.source {
        case .alternate: .alternateProvider
        case .emergency: .emergencyKey
        }
    }

    /// The other provider's name, for an ``Method/alternateProvider`` entry.
    public var alternateProviderName: String? {
        if case .alternate(let provider) = self.source { return provider }
        return nil
    }

    /// The longest use per outage, for an ``Method/emergencyKey`` entry.
    public var maxDuration: Duration? {
        if case .emergency(_, let maxDuration, _, _) = self.source { return maxDuration }
        return nil
    }

    /// The approval file, for an ``Method/emergencyKey`` entry that requires approval.
    public var approvalFile: String? {
        if case .emergency(_, _, let approvalFile, _) = self.source { return approvalFile }
        return nil
    }

    /// A failed try of this entry, for ``TokenRefreshError/tried``.
    func attempt(reason: String, detail: String) -> FallbackAttempt {
        FallbackAttempt(method: self.method.rawValue, entry: self.description, reason: reason, detail: detail)
    }

    /// Names the entry without revealing a key: `alternate provider 'x'` or
    /// `emergency key secret(sha256:xxxxxxxx)`.
    public var description: String {
        switch self.source {
        case .alternate(let provider): "alternate provider '\(provider)'"
        case .emergency(let key, _, _, _): "emergency key \(key)"
        }
    }
}
