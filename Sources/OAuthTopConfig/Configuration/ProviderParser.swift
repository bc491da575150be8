import TokenManager
import Yams

extension ConfigurationParser {
    static let providerKeys = [
        "name", "grant", "token_endpoints", "client_id", "client_secret", "refresh_token", "client_auth",
        "scopes", "token_type", "refresh", "retry", "timeouts", "breaker", "fallback",
        "sinks", "validation",
    ]

    /// A parsed provider and where its name is, for the duplicate-name check.
    struct ParsedProvider {
        let configuration: ProviderConfiguration
        let nameField: YAMLField
        /// The `provider:` entries of its fallback chain, checked once every provider is read.
        let fallbackReferences: [FallbackReference]
        /// Its token files (`sinks:`), each with the field of its `path`.
        let sinks: [(file: TokenFile, field: YAMLField)]
    }

    func provider(_ field: YAMLField) -> ParsedProvider? {
        let errorsBefore = self.reader.diagnostics.errorCount
        guard let map = self.reader.mapping(field, allowedKeys: Self.providerKeys, context: "provider") else {
            return nil
        }
        let reportMissing = { (key: String, reason: String?) in map.reportMissing(key, because: reason) }
        let name = map.optional("name", self.providerName)
        if !map.contains("name") { reportMissing("name", nil) }
        let grant = map.optional("grant") { field in
            self.reader.choice(field, from: GrantType.all.map(\.rawValue)).map(GrantType.init(rawValue:))
        }
        if !map.contains("grant") { reportMissing("grant", GrantType.all.map(\.rawValue).joined(separator: " | ")) }
        let endpoints = map.optional("token_endpoints", self.endpoints)
        if !map.contains("token_endpoints") { reportMissing("token_endpoints", nil) }
        let clientID = map.optional("client_id", self.secrets.plainOrReference)
        if !map.contains("client_id") { reportMissing("client_id", nil) }
        let clientSecret = map.optional("client_secret", self.secrets.secret)
        let refreshToken = map.optional("refresh_token", self.secrets.secret)
        let clientAuth = map.optional("client_auth") { field in
            self.reader.choice(field, from: ClientAuthentication.all.map(\.rawValue))
                .map(ClientAuthentication.init(rawValue:))
        }
        let scopes = map.optional("scopes", self.reader.words)
        let tokenType = map.optional("token_type", self.reader.nonEmptyString)
        let refresh = map.optional("refresh", self.refreshPolicy)
        let retry = map.optional("retry", self.retryPolicy)
        let timeouts = map.optional("timeouts", self.timeoutLadder)
        let breaker = map.optional("breaker", self.breakerPolicy)
        let fallback = map.optional("fallback", self.fallbackChain)
        let sinks = map.optional("sinks", self.sinks) ?? []
        let validation = map.optional("validation", self.tokenValidation)

        if grant == .refreshToken, !map.contains("refresh_token") {
            reportMissing("refresh_token", "the refresh_token grant needs an initial refresh token")
        }
        if grant == .clientCredentials, !map.contains("client_secret") {
            reportMissing("client_secret", "the client_credentials grant authenticates with the client secret")
        }
        if grant == .clientCredentials, let refreshField = map["refresh_token"] {
            self.reader.warning("is not used by the client_credentials grant", at: refreshField)
        }

        guard self.reader.diagnostics.errorCount == errorsBefore,
            let name, let grant, let endpoints, let clientID, let nameField = map["name"]
        else { return nil }
        let configuration = ProviderConfiguration(
            name: name,
            grant: grant,
            tokenEndpoints: endpoints,
            clientID: clientID,
            clientSecret: clientSecret,
            refreshToken: refreshToken,
            clientAuthentication: clientAuth ?? .basic,
            scopes: scopes ?? [],
            expectedTokenType: tokenType ?? "Bearer",
            refresh: refresh ?? RefreshPolicy(),
            retry: retry ?? RetryPolicy(),
            timeouts: timeouts ?? .default,
            breaker: breaker ?? BreakerPolicy(),
            fallback: fallback?.entries ?? [],
            validation: validation
        )
        return ParsedProvider(
            configuration: configuration, nameField: nameField, fallbackReferences: fallback?.references ?? [],
            sinks: sinks
        )
    }

    func providerName(_ field: YAMLField) -> String? {
        guard let name = self.reader.nonEmptyString(field) else { return nil }
        let punctuation = Set("_.-".unicodeScalars)
        let allowed = name.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || scalar.properties.numericType != nil
                || punctuation.contains(scalar))
        }
        guard allowed else {
            self.reader.error(
                "provider names use only letters, digits, '_', '.' and '-', found \(field.foundDescription)",
                at: field
            )
            return nil
        }
        return name
    }

    func endpoints(_ field: YAMLField) -> [String]? {
        let items: [YAMLField]
        if field.scalarText != nil {
            items = [field]
        } else {
            guard let list = self.reader.sequence(field, expected: "a list of http(s) URLs") else { return nil }
            items = list
        }
        guard !items.isEmpty else {
            self.reader.error("at least one token endpoint is required", at: field)
            return nil
        }
        let urls = items.map { self.reader.url($0) }
        return urls.contains(nil) ? nil : urls.compactMap { $0 }
    }
}
