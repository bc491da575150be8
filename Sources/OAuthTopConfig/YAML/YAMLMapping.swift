import Yams

/// A YAML mapping whose keys were checked against the allowed ones.
public struct YAMLMapping {
    /// One key and its value.
    public struct Entry {
        public let key: String
        public let keyNode: Node
        public let value: Node
    }

    /// The mapping itself, for messages about it as a whole (a missing key, say).
    public let field: YAMLField
    /// The allowed entries, in file order.
    public let entries: [Entry]
    /// How messages name the mapping, e.g. `provider` or `'retry'`.
    public let context: String
    let reader: YAMLReader

    /// Whether `key` is present.
    public func contains(_ key: String) -> Bool {
        self.entries.contains { $0.key == key }
    }

    /// The value under `key`, named after the key.
    public subscript(key: String) -> YAMLField? {
        self.entries.first { $0.key == key }.map { YAMLField(name: key, node: $0.value) }
    }

    /// The value under `key`, marked sensitive: messages never quote it.
    public func sensitive(_ key: String) -> YAMLField? {
        self.entries.first { $0.key == key }.map { YAMLField(name: key, node: $0.value, isSensitive: true) }
    }

    /// Where `key` itself is written, for messages about the key rather than its value.
    public func keyPosition(_ key: String) -> SourcePosition? {
        self.entries.first { $0.key == key }.flatMap { SourcePosition(of: $0.keyNode) }
    }

    /// Reads the value under `key` with `read`, if the key is present.
    public func optional<Value>(_ key: String, _ read: (YAMLField) -> Value?) -> Value? {
        self[key].flatMap(read)
    }

    /// Reads the value under `key` with `read`, reporting a missing key at the mapping's start.
    public func required<Value>(_ key: String, _ read: (YAMLField) -> Value?) -> Value? {
        guard let field = self[key] else {
            self.reportMissing(key)
            return nil
        }
        return read(field)
    }

    /// Reports that `key` is required and absent.
    public func reportMissing(_ key: String, because reason: String? = nil) {
        var message = "missing required key '\(key)' in \(self.context)"
        if let reason { message += " (\(reason))" }
        self.reader.diagnostics.report(message, at: self.field.position)
    }
}
