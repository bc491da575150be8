/// Which provider a credential helper asks the daemon for: the one named with `--provider`, else the
/// daemon's only provider.
public enum CredentialProviderChoice {
    /// The provider to ask for.
    ///
    /// - Parameters:
    ///   - explicit: `--provider`, if given (used as is; the daemon answers 404 when unknown).
    ///   - client: The daemon's socket client, asked for its status only when `explicit` is `nil`.
    /// - Throws: ``TokenSocketClientError`` when the daemon does not answer; ``CredentialHelperError``
    ///   when it serves no provider or several.
    public static func resolve(explicit: String?, client: TokenSocketClient) async throws -> String {
        if let explicit { return explicit }
        let names = try await client.status().providers.map(\.name)
        guard names.count == 1, let only = names.first else { throw CredentialHelperError.noProvider(available: names) }
        return only
    }
}
