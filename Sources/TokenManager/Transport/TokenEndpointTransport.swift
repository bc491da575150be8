/// One request to the identity provider, as the transport sends it: a POST to a token endpoint, or a
/// request of token validation (a `GET` of a JWKS or metadata document, an introspection POST, a probe).
public struct TokenEndpointRequest: Sendable {
    /// `POST` (the default) or `GET`; a `GET` sends no body.
    public var method: String
    public var url: String
    /// Header names and values; may carry credentials, so never log them.
    public var headers: [(name: String, value: String)]
    /// The `application/x-www-form-urlencoded` body; carries secrets, so never log it.
    public var body: [UInt8]

    public init(url: String, headers: [(name: String, value: String)], body: [UInt8], method: String = "POST") {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// A token endpoint's answer.
public struct TokenEndpointResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of the header `name`, compared case-insensitively.
    public func header(_ name: String) -> String? {
        self.headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// Sends token requests. The production transport is ``HTTPClientTransport`` (AsyncHTTPClient);
/// the protocol lets the manager be embedded with another HTTP stack.
public protocol TokenEndpointTransport: Sendable {
    /// Sends `request` within `timeout`.
    ///
    /// - Returns: The response, whatever its status.
    /// - Throws: An ``AttemptFailure`` of kind `.timeout`, `.connectionRefused` or `.connection`
    ///   when no response arrived.
    func send(_ request: TokenEndpointRequest, timeout: TimeoutStep) async throws(AttemptFailure)
        -> TokenEndpointResponse

    /// Releases connections; the transport is not used afterwards.
    func shutdown() async
}
