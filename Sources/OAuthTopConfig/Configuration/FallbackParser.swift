import TokenManager
import Yams

extension ConfigurationParser {
    /// The keys that say what an entry is; an entry has exactly one of them.
    static let fallbackKinds = ["provider", "github_app", "oauth_client", "emergency_key"]
    /// Keys that only an `emergency_key` entry takes.
    static let emergencyKeys = ["max_duration", "approval_file", "approval_command", "approval_timeout", "token_type"]
    static let fallbackKeys = fallbackKinds + emergencyKeys
    static let githubAppKeys = ["app_id", "installation_id", "private_key", "api_url"]
    static let oauthClientKeys = [
        "client_id", "client_secret", "grant", "refresh_token", "client_auth", "scopes", "token_endpoints",
    ]

    /// A `provider:` entry of a fallback chain, checked against the other providers once all are read.
    struct FallbackReference {
        let name: String
        let field: YAMLField
    }

    /// Reads a provider's `fallback:` list.
    ///
    /// - Returns: The chain and its `provider:` references, or `nil` after reporting a problem.
    func fallbackChain(_ field: YAMLField) -> (entries: [FallbackCredential], references: [FallbackReference])? {
        guard let items = self.reader.sequence(field, expected: "a list of fallback entries") else { return nil }
        var entries: [FallbackCredential] = []
        var references: [FallbackReference] = []
        var valid = true
        for item in items {
            guard let parsed = self.fallbackEntry(item) else {
                valid = false
                continue
            }
            entries.append(parsed.entry)
            if let reference = parsed.reference { references.append(reference) }
        }
        return valid ? (entries, references) : nil
    }

    /// One entry: `{provider: NAME}`, `{github_app: {...}}`, `{oauth_client: {...}}` or
    /// `{emergency_key: SECRET, max_duration: D, approval_file: PATH, approval_command: [ARGV...]}`.
    private func fallbackEntry(_ field: YAMLField) -> (entry: FallbackCredential, reference: FallbackReference?)? {
        let errorsBefore = self.reader.diagnostics.errorCount
        guard let map = self.reader.mapping(field, allowedKeys: Self.fallbackKeys, context: "a fallback entry") else {
            return nil
        }
        let kinds = Self.fallbackKinds.filter(map.contains)
        guard let kind = kinds.first else {
            self.reader.error(
                "a fallback entry needs one of 'provider: NAME' (another provider's token), 'github_app: {app_id, "
                    + "installation_id, private_key}', 'oauth_client: {client_id, client_secret}' or "
                    + "'emergency_key: \(SecretReader.expectation)' with 'max_duration'",
                at: field
            )
            return nil
        }
        if kinds.count > 1, let second = map[kinds[1]] {
            self.reader.error(
                "a fallback entry is one of \(Self.fallbackKinds.joined(separator: ", ")), not '\(kinds[0])' and "
                    + "'\(kinds[1])' together: write two entries",
                at: second
            )
            return nil
        }
        if kind != "emergency_key" {
            for key in Self.emergencyKeys {
                guard let misplaced = map[key] else { continue }
                self.reader.error("applies only to an 'emergency_key' entry, not to '\(kind)'", at: misplaced)
            }
        }
        switch kind {
        case "provider":
            guard let nameField = map["provider"], let name = self.providerName(nameField),
                self.reader.diagnostics.errorCount == errorsBefore
            else { return nil }
            return (.alternateProvider(name), FallbackReference(name: name, field: nameField))
        case "github_app":
            guard let app = map["github_app"].flatMap(self.githubApp),
                self.reader.diagnostics.errorCount == errorsBefore
            else { return nil }
            return (.githubApp(app), nil)
        case "oauth_client":
            guard let client = map["oauth_client"].flatMap(self.oauthClient),
                self.reader.diagnostics.errorCount == errorsBefore
            else { return nil }
            return (.oauthClient(client), nil)
        default:
            return self.emergencyEntry(map, errorsBefore: errorsBefore).map { ($0, nil) }
        }
    }

    private func emergencyEntry(_ map: YAMLMapping, errorsBefore: Int) -> FallbackCredential? {
        let key = map.optional("emergency_key", self.secrets.secret)
        let maxDuration = map.optional("max_duration") { self.reader.duration($0, positive: true) }
        if !map.contains("max_duration") {
            map.reportMissing("max_duration", because: "an emergency key must be time-limited, e.g. max_duration: 30m")
        }
        let approvalFile = map.optional("approval_file", self.reader.nonEmptyString)
        let argv = map.optional("approval_command") { AlertingSettingsParser(secrets: self.secrets).command($0) }
        let timeout = map.optional("approval_timeout") { self.reader.duration($0, positive: true) }
        if let timeoutField = map["approval_timeout"], !map.contains("approval_command") {
            self.reader.error("applies only with 'approval_command'", at: timeoutField)
        }
        let tokenType = map.optional("token_type", self.reader.nonEmptyString)
        guard self.reader.diagnostics.errorCount == errorsBefore, let key, let maxDuration else { return nil }
        return .emergencyKey(
            key, maxDuration: maxDuration, approvalFile: approvalFile,
            approvalCommand: argv.map { ApprovalCommand($0, timeout: timeout ?? ApprovalCommand.defaultTimeout) },
            tokenType: tokenType ?? "Bearer"
        )
    }

    /// `{app_id: 12345, installation_id: 678, private_key: {file: PATH}, api_url: URL}`.
    private func githubApp(_ field: YAMLField) -> GitHubAppInstallation? {
        let errorsBefore = self.reader.diagnostics.errorCount
        guard let map = self.reader.mapping(field, allowedKeys: Self.githubAppKeys, context: "'github_app'") else {
            return nil
        }
        let appID = map.required("app_id", self.reader.nonEmptyString)
        let installationID = map.required("installation_id", self.reader.nonEmptyString)
        let privateKey = map.required("private_key", self.secrets.secret)
        let apiURL = map.optional("api_url") { self.reader.url($0) }
        guard self.reader.diagnostics.errorCount == errorsBefore, let appID, let installationID, let privateKey else {
            return nil
        }
        do {
            return try GitHubAppInstallation(
                appID: appID, installationID: installationID, privateKey: privateKey,
                apiURL: apiURL ?? GitHubAppInstallation.defaultAPIURL
            )
        } catch {
            let key: String
            switch error {
            case .invalidAppID: key = "app_id"
            case .invalidInstallationID: key = "installation_id"
            default: key = "private_key"
            }
            self.reader.error("\(error)", at: map[key] ?? field)
            return nil
        }
    }

    /// `{client_id, client_secret, grant, refresh_token, client_auth, scopes, token_endpoints}`: a second
    /// client of the same provider; what it leaves out is the provider's.
    private func oauthClient(_ field: YAMLField) -> FallbackOAuthClient? {
        let errorsBefore = self.reader.diagnostics.errorCount
        guard let map = self.reader.mapping(field, allowedKeys: Self.oauthClientKeys, context: "'oauth_client'") else {
            return nil
        }
        let clientID = map.required("client_id", self.secrets.plainOrReference)
        let clientSecret = map.optional("client_secret", self.secrets.secret)
        let grant =
            map.optional("grant") { field in
                self.reader.choice(field, from: GrantType.all.map(\.rawValue)).map(GrantType.init(rawValue:))
            } ?? .clientCredentials
        let refreshToken = map.optional("refresh_token", self.secrets.secret)
        let clientAuth = map.optional("client_auth") { field in
            self.reader.choice(field, from: ClientAuthentication.all.map(\.rawValue))
                .map(ClientAuthentication.init(rawValue:))
        }
        let scopes = map.optional("scopes", self.reader.words)
        let endpoints = map.optional("token_endpoints", self.endpoints)
        if grant == .refreshToken, !map.contains("refresh_token") {
            map.reportMissing("refresh_token", because: "the refresh_token grant needs an initial refresh token")
        }
        if grant == .clientCredentials, !map.contains("client_secret") {
            map.reportMissing(
                "client_secret", because: "the client_credentials grant authenticates with the client secret"
            )
        }
        guard self.reader.diagnostics.errorCount == errorsBefore, let clientID else { return nil }
        return FallbackOAuthClient(
            clientID: clientID, clientSecret: clientSecret, grant: grant, refreshToken: refreshToken,
            clientAuthentication: clientAuth, scopes: scopes, tokenEndpoints: endpoints
        )
    }

    /// Reports `provider:` entries of fallback chains that name no provider of the file, or their own.
    ///
    /// - Parameters:
    ///   - parsed: The providers that parsed, with their chains' references.
    ///   - items: Every item of `providers`, so a provider with an error elsewhere still counts as known.
    func checkFallbackReferences(_ parsed: [ParsedProvider], items: [YAMLField]) {
        let known = items.compactMap { item -> String? in
            guard case .mapping(let mapping) = item.node else { return nil }
            return mapping.first { $0.key.scalar?.string == "name" }?.value.scalar?.string
        }
        for provider in parsed {
            for reference in provider.fallbackReferences {
                if reference.name == provider.configuration.name {
                    self.reader.error(
                        "a provider cannot be its own fallback ('\(reference.name)'); name another provider",
                        at: reference.field
                    )
                } else if !known.contains(reference.name) {
                    var message = "no provider named '\(reference.name)' (configured: \(known.joined(separator: ", ")))"
                    if let suggestion = Suggestion.closest(to: reference.name, in: known) {
                        message += "; did you mean '\(suggestion)'?"
                    }
                    self.reader.error(message, at: reference.field)
                }
            }
        }
    }
}
