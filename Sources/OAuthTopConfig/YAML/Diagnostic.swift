/// One problem found in a user's file, with its position.
///
/// Prints as the compilers do, `FILE:LINE:COLUMN: error: message`, so editors and terminals can
/// jump to it. A problem about the whole file (it cannot be read, say) has line and column 0 and
/// prints as `FILE: error: message`.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    /// The file as the user named it.
    public var file: String
    /// Line number starting from 1; 0 when the problem concerns the whole file.
    public var line: Int
    /// Column number starting from 1, counted in Unicode scalars; 0 with `line` 0.
    public var column: Int
    public var severity: Severity
    /// What is wrong, and what would be right. Never contains a secret value.
    public var message: String

    public init(file: String, line: Int, column: Int, severity: Severity = .error, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.severity = severity
        self.message = message
    }

    public var description: String {
        if self.line > 0 {
            return "\(self.file):\(self.line):\(self.column): \(self.severity): \(self.message)"
        }
        return "\(self.file): \(self.severity): \(self.message)"
    }

    /// How serious a diagnostic is: errors make a file unusable, warnings do not.
    public struct Severity: Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        public static let error = Severity(rawValue: "error")
        public static let warning = Severity(rawValue: "warning")

        public var description: String { self.rawValue }
    }
}
