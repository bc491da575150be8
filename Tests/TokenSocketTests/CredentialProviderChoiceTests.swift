import OAuthTopRuntime
import Testing

/// Which provider a credential helper asks for when `--provider` is left out: the daemon's only one.
@Suite("Credential helpers: choosing the provider")
struct CredentialProviderChoiceTests {
    @Test("no --provider: the daemon's only provider; a named one is used as given")
    func onlyProvider() async throws {
        try await withSocketServer { fixture in
            let client = TokenSocketClient(endpoint: .unix(fixture.configuration.path))
            let chosen = try await CredentialProviderChoice.resolve(explicit: nil, client: client)
            #expect(chosen == SocketFixture.providerName)
            let named = try await CredentialProviderChoice.resolve(explicit: "other", client: client)
            #expect(named == "other")
        }
    }

    @Test("no --provider and several providers: an error listing them")
    func severalProviders() async throws {
        var options = SocketOptions()
        options.extraProviders = [try unreachableProvider()]
        try await withSocketServer(options) { fixture in
            let client = TokenSocketClient(endpoint: .unix(fixture.configuration.path))
            await #expect {
                try await CredentialProviderChoice.resolve(explicit: nil, client: client)
            } throws: { error in
                "\(error)" == "the daemon serves 2 providers (idp, broken); choose one with --provider NAME"
            }
        }
    }
}
