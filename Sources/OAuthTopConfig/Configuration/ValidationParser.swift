import TokenManager
import Yams

extension ConfigurationParser {
    static let validationKeys = [
        "format", "time", "leeway", "issuer", "audience", "signature", "introspection", "probe",
    ]
    static let signatureKeys = ["jwks_url", "algorithms", "hs256_secret", "refetch_interval"]

    /// Reads a provider's `validation:` mapping (docs/validation.md).
    func tokenValidation(_ field: YAMLField) -> TokenValidation? {
        let errorsBefore = self.reader.diagnostics.errorCount
        guard let map = self.reader.mapping(field, allowedKeys: Self.validationKeys, context: "'validation'") else {
            return nil
        }
        var validation = TokenValidation()
        if let format = map.optional("format", { self.reader.choice($0, from: TokenValidation.Format.all.map(\.rawValue)) }) {
            validation.format = TokenValidation.Format(rawValue: format)
        }
        if let time = map.optional("time", self.reader.bool) { validation.checkTime = time }
        if let leeway = map.optional("leeway", { self.reader.duration($0) }) {
            if leeway > .seconds(3600), let leewayField = map["leeway"] {
                self.reader.error("a leeway over 1h makes the time checks meaningless, found \(leewayField.foundDescription)", at: leewayField)
            }
            validation.leeway = leeway
        }
        validation.issuer = map.optional("issuer", self.reader.nonEmptyString)
        validation.audiences = map.optional("audience", self.reader.words) ?? []
        validation.signature = map.optional("signature", self.signatureCheck)
        let introspection = map.optional("introspection", self.introspectionProbe)
        let probe = map.optional("probe", self.urlProbe)
        if introspection != nil, probe != nil, let probeField = map["probe"] {
            self.reader.error("give either 'introspection' or 'probe', not both: one live probe per provider", at: probeField)
        }
        validation.probe = introspection ?? probe
        if let signature = validation.signature, signature.jwksURL == nil, validation.issuer == nil,
            signature.algorithms.contains(where: { SignatureCheck.asymmetricAlgorithms.contains($0) }),
            let signatureField = map["signature"]
        {
            self.reader.error(
                "needs 'jwks_url', or 'issuer' in 'validation' to discover the keys from (RFC 8414 / OpenID Connect)",
                at: signatureField
            )
        }
        if case .introspection(nil)? = validation.probe?.target, validation.issuer == nil, let introspectionField = map["introspection"] {
            self.reader.error(
                "needs 'url', or 'issuer' in 'validation' to discover the introspection endpoint from",
                at: introspectionField
            )
        }
        if validation.format == .opaque, validation.signature != nil, let signatureField = map["signature"] {
            self.reader.error("an opaque token has no signature to check: remove 'signature' or the format", at: signatureField)
        }
        return self.reader.diagnostics.errorCount == errorsBefore ? validation : nil
    }

    private func signatureCheck(_ field: YAMLField) -> SignatureCheck? {
        guard let map = self.reader.mapping(field, allowedKeys: Self.signatureKeys, context: "'signature'") else {
            return nil
        }
        var check = SignatureCheck()
        check.jwksURL = map.optional("jwks_url") { self.reader.url($0) }
        let secret = map.optional("hs256_secret", self.secrets.secret)
        if let secret, secret.revealed.utf8.count < 32, let secretField = map["hs256_secret"] {
            // RFC 7518 §3.2: an HS256 key must be at least as long as the hash (256 bits).
            self.reader.error(
                "an HS256 secret needs at least 32 bytes (RFC 7518 §3.2), this one has \(secret.revealed.utf8.count)",
                at: secretField
            )
        }
        check.sharedSecret = secret
        if let algorithmsField = map["algorithms"], let names = self.reader.words(algorithmsField) {
            let allowed = SignatureCheck.asymmetricAlgorithms.sorted() + ["HS256"]
            var chosen: Set<String> = []
            for name in names {
                guard allowed.contains(name) else {
                    var message = "unsupported algorithm '\(name.prefix(32))' (supported: \(allowed.joined(separator: ", ")))"
                    if name.lowercased() == "none" { message += "; unsigned tokens are never accepted" }
                    if let suggestion = Suggestion.closest(to: name, in: allowed) { message += "; did you mean '\(suggestion)'?" }
                    self.reader.error(message, at: algorithmsField)
                    continue
                }
                chosen.insert(name)
            }
            if chosen.contains("HS256"), secret == nil {
                self.reader.error("HS256 needs 'hs256_secret' (\(SecretReader.expectation))", at: algorithmsField)
            }
            check.algorithms = chosen.subtracting(["HS256"])
        } else if secret != nil, check.jwksURL == nil {
            // Only a shared secret: HS256 tokens only.
            check.algorithms = []
        }
        if let interval = map.optional("refetch_interval", { self.reader.duration($0, positive: true) }) {
            check.minimumRefetchInterval = interval
        }
        return check
    }

    private func introspectionProbe(_ field: YAMLField) -> LiveProbe? {
        guard let map = self.reader.mapping(field, allowedKeys: ["url", "min_interval"], context: "'introspection'") else {
            return nil
        }
        let url = map.optional("url") { self.reader.url($0) }
        if map.contains("url"), url == nil { return nil }
        var probe = LiveProbe(target: .introspection(url: url))
        if let interval = map.optional("min_interval", { self.reader.duration($0, positive: true) }) {
            probe.minimumInterval = interval
        }
        return probe
    }

    private func urlProbe(_ field: YAMLField) -> LiveProbe? {
        guard let map = self.reader.mapping(field, allowedKeys: ["url", "min_interval"], context: "'probe'") else {
            return nil
        }
        guard let url = map.required("url", { self.reader.url($0) }) else { return nil }
        var probe = LiveProbe(target: .url(url))
        if let interval = map.optional("min_interval", { self.reader.duration($0, positive: true) }) {
            probe.minimumInterval = interval
        }
        return probe
    }
}
