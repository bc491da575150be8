import TokenManager

/// Where a job's tokens come from: the seam between what keeps a token file fresh (exec, sinks) and
/// who holds the tokens.
///
/// Why it exists: `oauthtop exec` runs its own manager in-process today (``ManagerTokenSource``);
/// when a daemon runs, it will ask the daemon's local token socket instead (one refresher for many
/// jobs). Both answer the same three questions, so ``TokenFileKeeper`` and ``ExecTask`` do not care
/// which one they have.
///
/// SEAM (socket): a client of the daemon's socket conforms as `token(for:)` = `GET /v1/token/{provider}`
/// (the daemon waits for a refresh in flight), `currentToken(for:)` = the same request, `providerNames()`
/// = `GET /v1/status`, and `onChange` does nothing (the keeper then re-asks on its own schedule,
/// halfway to each expiry).
public protocol TokenSource: Sendable {
    /// The providers this source can give tokens for, in configuration order.
    func providerNames() async throws -> [String]

    /// A valid token for `provider`, waiting for a refresh when the current one is about to expire.
    ///
    /// - Throws: When no valid token can be had (the error names the provider and why, never a token).
    func token(for provider: String) async throws -> AccessToken

    /// The current token for `provider` if one is ready without waiting, else `nil`.
    func currentToken(for provider: String) async throws -> AccessToken?

    /// Calls `action` whenever `provider` may have a new token (a refresh succeeded, tokens were
    /// restored, a fallback began or ended), so a keeper rewrites at once; it must not block. A source
    /// that cannot tell does nothing.
    func onChange(of provider: String, _ action: @escaping @Sendable () -> Void)
}
