import Synchronization

/// The issuer's metadata, discovered once (RFC 8414, then OpenID Connect Discovery) and kept.
///
/// A failed discovery is tried again no sooner than `retryInterval` after the last try, so an
/// unreachable metadata endpoint is not asked on every token.
final class IssuerMetadata: Sendable {
    private struct State {
        var metadata: AuthorizationServerMetadata?
        var lastAttempt: Int64?
        var lastFailure: TokenValidationFailure?
    }

    let issuer: String?
    private let http: ValidationHTTP
    private let retryInterval: Duration
    private let state = Mutex(State())

    init(issuer: String?, http: ValidationHTTP, retryInterval: Duration) {
        self.issuer = issuer
        self.http = http
        self.retryInterval = retryInterval
    }

    /// The metadata, fetched on first use.
    ///
    /// - Throws: `keys_unavailable` when no issuer is configured, or discovery failed (now or within
    ///   the retry interval).
    func get(now: Int64) async throws(TokenValidationFailure) -> AuthorizationServerMetadata {
        guard let issuer = self.issuer else {
            throw TokenValidationFailure(
                .keysUnavailable, "no jwks_url and no issuer configured: nothing to discover the keys from"
            )
        }
        let cached = self.state.withLock { state -> Result<AuthorizationServerMetadata, TokenValidationFailure>? in
            if let metadata = state.metadata { return .success(metadata) }
            if let last = state.lastAttempt, now - last < self.retryInterval.nanoseconds, let failure = state.lastFailure {
                return .failure(failure)
            }
            state.lastAttempt = now
            return nil
        }
        if let cached { return try cached.get() }
        var failures: [String] = []
        for url in AuthorizationServerMetadata.urls(forIssuer: issuer) {
            do {
                let body = try await self.http.getJSON(url, what: "the issuer's metadata", check: .keysUnavailable)
                let metadata = try AuthorizationServerMetadata.parse(body, expectedIssuer: issuer)
                self.state.withLock { $0.metadata = metadata }
                return metadata
            } catch {
                failures.append(error.detail)
            }
        }
        let failure = TokenValidationFailure(
            .keysUnavailable, "metadata discovery for issuer '\(issuer)' failed: " + failures.joined(separator: "; ")
        )
        self.state.withLock { $0.lastFailure = failure }
        throw failure
    }
}
