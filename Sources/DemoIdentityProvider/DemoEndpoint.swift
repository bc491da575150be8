/// A token endpoint the provider listens on, with the port it actually bound.
public struct DemoEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// The endpoint's configured name.
    public let name: String
    /// The address it binds.
    public let host: String
    /// The bound port (a free port was picked if the configuration said 0).
    public let port: Int
    /// The token endpoint's path.
    public let path: String

    /// Creates an endpoint description.
    public init(name: String, host: String, port: Int, path: String) {
        self.name = name
        self.host = host
        self.port = port
        self.path = path
    }

    /// The token endpoint's URL, e.g. `http://127.0.0.1:8080/oauth/token`.
    public var url: String {
        let authority = self.host.contains(":") ? "[\(self.host)]" : self.host
        return "http://\(authority):\(self.port)\(self.path)"
    }

    public var description: String { "\(self.name) \(self.url)" }
}
