/// The result of parsing a user file: a value when it has no errors, and every diagnostic found
/// (warnings may come with a value).
public struct ParseOutcome<Value> {
    /// The parsed value; `nil` exactly when `diagnostics` holds an error.
    public let value: Value?
    /// All diagnostics, in file order.
    public let diagnostics: [Diagnostic]

    public init(value: Value?, diagnostics: [Diagnostic]) {
        self.value = value
        self.diagnostics = diagnostics
    }

    /// The diagnostics of severity `.error`.
    public var errors: [Diagnostic] { self.diagnostics.filter { $0.severity == .error } }

    /// The value.
    ///
    /// - Throws: `ConfigError.invalid` with the diagnostics when the file has errors.
    public func get() throws(ConfigError) -> Value {
        guard let value = self.value, self.errors.isEmpty else { throw .invalid(self.diagnostics) }
        return value
    }
}

extension ParseOutcome: Sendable where Value: Sendable {}

extension ParseOutcome {
    /// Finishes a parse: the value if the collector saw no error, with its sorted diagnostics.
    init(value: Value?, collector: DiagnosticCollector) {
        self.init(value: collector.hasErrors ? nil : value, diagnostics: collector.sortedDiagnostics)
    }
}
