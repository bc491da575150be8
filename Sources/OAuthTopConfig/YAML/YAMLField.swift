import Yams

/// A YAML node together with the name a user knows it by, so messages can say which value is
/// wrong as well as where.
public struct YAMLField {
    /// The key the value was found under (or the list's key for list items).
    public let name: String
    public let node: Node
    /// A sensitive value is never quoted in a message, even when it has the wrong type.
    public let isSensitive: Bool

    public init(name: String, node: Node, isSensitive: Bool = false) {
        self.name = name
        self.node = node
        self.isSensitive = isSensitive
    }

    /// Where the value starts.
    public var position: SourcePosition? { SourcePosition(of: self.node) }

    /// The scalar's text, or `nil` for a mapping, a list or an explicit null.
    public var scalarText: String? {
        guard case .scalar(let scalar) = self.node, !self.isNull else { return nil }
        return scalar.string
    }

    /// Whether the value is an explicit null (`~`, `null` or nothing after the colon).
    public var isNull: Bool {
        guard case .scalar(let scalar) = self.node, scalar.style == .plain || scalar.style == .any else {
            return false
        }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// How the value reads in a message: `'abc'`, `a mapping`, `a list`, `nothing`.
    public var foundDescription: String {
        switch self.node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar(let scalar):
            if self.isNull { return "nothing" }
            if self.isSensitive { return "an inline value (not shown)" }
            let text = scalar.string
            return text.count > 60 ? "'\(text.prefix(57))...'" : "'\(text)'"
        }
    }
}
