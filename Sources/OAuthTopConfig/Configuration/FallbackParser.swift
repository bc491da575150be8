import TokenManager
import Yams

extension ConfigurationParser {
    static let fallbackKeys = ["provider", "emergency_key", "max_duration", "approval_file", "token_type"]

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

    /// One entry: `{provider: NAME}` or `{emergency_key: SECRET, max_duration: D, approval_file: PATH}`.
    private func fallbackEntry(_ field: YAMLField) -> (entry: FallbackCredential, reference: FallbackReference?)? {
        let errorsBefore = self.reader.diagnostics.errorCount
        guard let map = self.reader.mapping(field, allowedKeys: Self.fallbackKeys, context: "a fallback entry") else {
            return nil
        }
        switch (map.contains("provider"), map.contains("emergency_key")) {
        case (false, false):
            self.reader.error(
                "a fallback entry needs either 'provider: NAME' (another provider's token) or "
                    + "'emergency_key: \(SecretReader.expectation)' with 'max_duration'",
                at: field
            )
            return nil
        case (true, true):
            self.reader.error(
                "a fallback entry has either 'provider' or 'emergency_key', not both: write two entries",
                at: map["emergency_key"] ?? field
            )
            return nil
        case (true, false):
            for key in ["max_duration", "approval_file", "token_type"] {
                guard let misplaced = map[key] else { continue }
                self.reader.error("applies only to an 'emergency_key' entry, not to 'provider'", at: misplaced)
            }
            guard let nameField = map["provider"], let name = self.providerName(nameField),
                self.reader.diagnostics.errorCount == errorsBefore
            else { return nil }
            return (.alternateProvider(name), FallbackReference(name: name, field: nameField))
        case (false, true):
            let key = map.optional("emergency_key", self.secrets.secret)
            let maxDuration = map.optional("max_duration") { self.reader.duration($0, positive: true) }
            if !map.contains("max_duration") {
                map.reportMissing(
                    "max_duration", because: "an emergency key must be time-limited, e.g. max_duration: 30m"
                )
            }
            let approvalFile = map.optional("approval_file", self.reader.nonEmptyString)
            let tokenType = map.optional("token_type", self.reader.nonEmptyString)
            guard self.reader.diagnostics.errorCount == errorsBefore, let key, let maxDuration else { return nil }
            return (
                .emergencyKey(
                    key, maxDuration: maxDuration, approvalFile: approvalFile, tokenType: tokenType ?? "Bearer"
                ),
                nil
            )
        }
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
