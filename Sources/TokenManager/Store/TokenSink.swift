/// A token file the daemon keeps for one provider (a `sinks:` entry of oauthtop.yaml): rewritten at
/// start from the current token and after every refresh.
public struct TokenSink: Sendable, Hashable, CustomStringConvertible {
    /// The provider whose token the file holds.
    public var provider: String
    /// The file, its mode, owner, group and format.
    public var file: TokenFile

    public init(provider: String, file: TokenFile) {
        self.provider = provider
        self.file = file
    }

    public var description: String { "sink \(self.file) of provider \(self.provider)" }
}
