/// A provider, resolved once by name for cheap repeated lookups.
public struct ProviderID: Sendable, Hashable, CustomStringConvertible {
    public let name: String
    let index: Int
    public var description: String { self.name }
}
