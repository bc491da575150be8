import OAuthTopConfig

/// Parses configuration text with a fixed environment and in-memory files.
func parseConfig(
    _ yaml: String,
    environment: [String: String] = ["SECRET": "env-secret-value-1"],
    files: [String: String] = [:]
) -> ParseOutcome<OAuthTopConfiguration> {
    OAuthTopConfiguration.parse(
        yaml: yaml,
        file: "oauthtop.yaml",
        environment: environment,
        fileReader: .inMemory(files)
    )
}

extension Diagnostic {
    /// `LINE:COLUMN`, for compact expectations.
    var position: String { "\(self.line):\(self.column)" }
}
