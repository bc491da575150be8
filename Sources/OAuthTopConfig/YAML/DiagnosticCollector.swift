import Yams

/// Gathers every diagnostic found while reading one file.
///
/// Readers report a problem and carry on with the next key, so one run finds all the mistakes
/// in a file instead of stopping at the first. One collector serves one parse on one task; it is
/// deliberately not `Sendable`.
public final class DiagnosticCollector {
    /// The file name used in every diagnostic.
    public let file: String
    public private(set) var diagnostics: [Diagnostic] = []

    public init(file: String) {
        self.file = file
    }

    /// Whether any diagnostic of severity `.error` was reported.
    public var hasErrors: Bool { self.diagnostics.contains { $0.severity == .error } }

    /// The number of diagnostics of severity `.error`.
    public var errorCount: Int { self.diagnostics.count { $0.severity == .error } }

    /// Reports a problem at a position (`nil` means the whole file).
    public func report(_ message: String, at position: SourcePosition?, severity: Diagnostic.Severity = .error) {
        self.diagnostics.append(
            Diagnostic(
                file: self.file,
                line: position?.line ?? 0,
                column: position?.column ?? 0,
                severity: severity,
                message: message
            )
        )
    }

    /// Reports an error at the start of `node`.
    public func error(_ message: String, at node: Node) {
        self.report(message, at: SourcePosition(of: node))
    }

    /// Reports a warning at the start of `node`.
    public func warning(_ message: String, at node: Node) {
        self.report(message, at: SourcePosition(of: node), severity: .warning)
    }

    /// The diagnostics ordered by position, as a user reads the file.
    public var sortedDiagnostics: [Diagnostic] {
        self.diagnostics.enumerated().sorted { lhs, rhs in
            (lhs.element.line, lhs.element.column, lhs.offset) < (rhs.element.line, rhs.element.column, rhs.offset)
        }.map(\.element)
    }
}
