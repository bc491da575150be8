import Primitives

/// Reads secret references (`{env: NAME}` or `{file: PATH}`) and resolves them into `Secret`s.
///
/// A secret is never accepted inline, and no message it produces quotes a value that might be
/// one: it names the key, the variable or the path instead.
public struct SecretReader {
    public let reader: YAMLReader
    public let environment: [String: String]
    public let fileReader: FileReader

    public init(reader: YAMLReader, environment: [String: String], fileReader: FileReader) {
        self.reader = reader
        self.environment = environment
        self.fileReader = fileReader
    }

    /// The form a secret must take, for messages.
    public static let expectation = "{env: NAME} or {file: PATH}"

    /// Reads a secret that must be a reference; an inline value is an error that does not echo it.
    public func secret(_ field: YAMLField) -> Secret? {
        let field = YAMLField(name: field.name, node: field.node, isSensitive: true)
        guard case .mapping = field.node else {
            if field.scalarText != nil {
                self.reader.error(
                    "secrets must not be written in the file; give them as \(Self.expectation) "
                        + "(the inline value is not shown)",
                    at: field
                )
            } else {
                self.reader.mismatch(field, expected: Self.expectation)
            }
            return nil
        }
        return self.resolve(field).map(Secret.init)
    }

    /// Reads a value that may be written inline or given as a reference (e.g. `client_id`).
    public func plainOrReference(_ field: YAMLField) -> String? {
        if case .mapping = field.node {
            return self.resolve(field)
        }
        return self.reader.nonEmptyString(field)
    }

    /// Resolves a `{env: NAME}` or `{file: PATH}` mapping to its value.
    private func resolve(_ field: YAMLField) -> String? {
        guard case .mapping(let mapping) = field.node else { return nil }
        // Keys are not echoed: in a mistyped reference the "key" may be the secret itself.
        let keys = mapping.keys.map { $0.scalar?.string }
        guard keys.count == 1, let key = keys[0], key == "env" || key == "file",
            let valueNode = mapping.values.first
        else {
            self.reader.error("a secret reference has exactly one key, env or file: \(Self.expectation)", at: field)
            return nil
        }
        let value = YAMLField(name: "\(field.name).\(key)", node: valueNode)
        guard let name = self.reader.nonEmptyString(value) else { return nil }
        if key == "env" {
            guard let text = self.environment[name] else {
                self.reader.error("environment variable '\(name)' is not set", at: value)
                return nil
            }
            guard !text.isEmpty else {
                self.reader.error("environment variable '\(name)' is empty", at: value)
                return nil
            }
            return text
        }
        let contents: String
        do {
            contents = try self.fileReader.read(name)
        } catch {
            self.reader.error("cannot read file '\(name)': \(error.reason)", at: value)
            return nil
        }
        let trimmed = String(contents.reversed().drop { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }.reversed())
        guard !trimmed.isEmpty else {
            self.reader.error("file '\(name)' is empty", at: value)
            return nil
        }
        return trimmed
    }
}
