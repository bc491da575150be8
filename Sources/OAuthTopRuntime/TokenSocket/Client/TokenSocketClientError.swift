/// Why a ``TokenSocketClient`` call failed: no daemon, a refusal or error answer from it, or an
/// answer it could not read. Messages never hold a token or the bearer secret.
public struct TokenSocketClientError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure: compare with the static members.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// Nothing listens at the endpoint.
        public static let noDaemon = Code("no_daemon")
        /// The connection failed or broke.
        public static let connection = Code("connection")
        /// The daemon answered with an error status (``TokenSocketClientError/status``).
        public static let server = Code("server")
        /// The answer was not the JSON expected.
        public static let badResponse = Code("bad_response")

        public var description: String { self.name }
    }

    public let code: Code
    /// The HTTP status of an error answer.
    public let status: Int?
    /// The daemon's error body (`error` code and message), when it sent one.
    public let body: SocketErrorBody?
    public let description: String

    private init(_ code: Code, status: Int? = nil, body: SocketErrorBody? = nil, _ description: String) {
        self.code = code
        self.status = status
        self.body = body
        self.description = description
    }

    static func noDaemon(_ endpoint: TokenSocketEndpoint) -> Self {
        switch endpoint.kind {
        case .unix(let path):
            Self(.noDaemon, "no oauthtop daemon at \(path): start `oauthtop run --headless` (or give --socket PATH)")
        case .tcp(let base, _):
            Self(.noDaemon, "no oauthtop daemon at \(base): start `oauthtop run --headless` with socket.tcp configured")
        }
    }

    static func connection(_ endpoint: TokenSocketEndpoint, _ detail: String) -> Self {
        Self(.connection, "cannot talk to the oauthtop daemon at \(endpoint): \(detail)")
    }

    static func server(status: Int, body: SocketErrorBody?) -> Self {
        // An emergency answer lists each method tried, one per line (`oauthtop token`, `exec`, a sink's log).
        let message = body.map { $0.isEmergency ? "\($0.error): \($0.explanation)" : "\($0.error): \($0.message)" }
            ?? "HTTP \(status)"
        return Self(.server, status: status, body: body, "the daemon answered \(status): \(message)")
    }

    static func badResponse(_ detail: String) -> Self {
        Self(.badResponse, "the daemon's answer could not be read: \(detail)")
    }
}
