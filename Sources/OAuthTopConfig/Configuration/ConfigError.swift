/// Why a configuration (or another user file) could not be used.
///
/// Its description is what a user should read: one `FILE:LINE:COLUMN: error: message` line per
/// problem found, or the places where a configuration file was looked for.
public struct ConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case invalid
        case unreadable
        case notFound
    }

    private let code: Code
    /// Every problem found, in file order. Never contains a secret value.
    public let diagnostics: [Diagnostic]
    private let message: String

    private init(code: Code, diagnostics: [Diagnostic], message: String) {
        self.code = code
        self.diagnostics = diagnostics
        self.message = message
    }

    /// The file was read but has errors, each one a diagnostic.
    public static func invalid(_ diagnostics: [Diagnostic]) -> ConfigError {
        ConfigError(
            code: .invalid,
            diagnostics: diagnostics,
            message: diagnostics.map(\.description).joined(separator: "\n")
        )
    }

    /// The file could not be read at all.
    public static func unreadable(file: String, reason: String) -> ConfigError {
        let diagnostic = Diagnostic(file: file, line: 0, column: 0, message: "cannot read the file: \(reason)")
        return ConfigError(code: .unreadable, diagnostics: [diagnostic], message: diagnostic.description)
    }

    /// No configuration file was found; `lookedAt` lists each place tried and why it was tried.
    public static func notFound(lookedAt: [String]) -> ConfigError {
        let places = lookedAt.map { "  - \($0)" }.joined(separator: "\n")
        return ConfigError(
            code: .notFound,
            diagnostics: [],
            message: "no configuration file found; looked at:\n\(places)\n"
                + "write one (see docs/configuration.md) or pass --config FILE"
        )
    }

    /// Whether this error says the file has errors (rather than being unreadable or missing).
    public var isInvalid: Bool { self.code == .invalid }
    /// Whether this error says the file could not be read.
    public var isUnreadable: Bool { self.code == .unreadable }
    /// Whether this error says no configuration file was found.
    public var isNotFound: Bool { self.code == .notFound }

    public var description: String { self.message }
}
