/// Why a Prometheus HTTP API answer could not be had or read: the server's error envelope, an answer that is not
/// JSON or not the shape expected (with the place in it, e.g. `data.result[2].values[7][1]`), or a request that
/// failed. Messages name the URL when there is one and never hold a request header (a bearer secret).
public struct PrometheusAPIError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure: compare with the static members.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// The body is not JSON.
        public static let notJSON = Code("not_json")
        /// The JSON is not the shape of the answer expected (``PrometheusAPIError/path`` says where).
        public static let badShape = Code("bad_shape")
        /// The server answered `{"status":"error", ...}` (``PrometheusAPIError/errorType``).
        public static let server = Code("server")
        /// The server answered an HTTP error without Prometheus's envelope.
        public static let http = Code("http")
        /// The request could not be sent or its answer not received.
        public static let connection = Code("connection")
        /// The base URL given is not an `http` or `https` URL with a host.
        public static let badURL = Code("bad_url")
        /// No answer within the client's timeout.
        public static let timeout = Code("timeout")

        public var description: String { self.name }
    }

    public let code: Code
    /// Where in the JSON the problem is (`data.result[0].metric`), for ``Code/badShape``.
    public let path: String?
    /// Prometheus's `errorType` (`bad_data`, `execution`, `timeout`, ...), for ``Code/server``.
    public let errorType: String?
    /// The HTTP status, when there was an answer.
    public let status: Int?
    /// The URL asked, when known (never with its headers).
    public let url: String?
    /// What was wrong, without the URL.
    public let message: String

    private init(
        _ code: Code, path: String? = nil, errorType: String? = nil, status: Int? = nil, url: String? = nil,
        _ message: String
    ) {
        self.code = code
        self.path = path
        self.errorType = errorType
        self.status = status
        self.url = url
        self.message = message
    }

    public var description: String {
        let place = self.url.map { "\($0): " } ?? ""
        switch self.code {
        case .badShape: return place + "unexpected answer at \(self.path ?? "(top)"): \(self.message)"
        case .server: return place + "\(self.errorType ?? "error"): \(self.message)"
        default: return place + self.message
        }
    }

    /// This error, naming `url` and the HTTP `status` of the answer it came from.
    public func at(url: String, status: Int? = nil) -> PrometheusAPIError {
        PrometheusAPIError(
            self.code, path: self.path, errorType: self.errorType, status: status ?? self.status, url: url,
            self.message
        )
    }

    static func notJSON(_ detail: String) -> Self {
        Self(.notJSON, "the answer is not JSON: \(detail)")
    }

    static func badShape(_ path: String, _ message: String) -> Self {
        Self(.badShape, path: path, message)
    }

    /// Prometheus's error envelope.
    public static func server(errorType: String, message: String, status: Int? = nil) -> Self {
        Self(.server, errorType: errorType, status: status, message)
    }

    static func http(status: Int, body: String) -> Self {
        let shown = body.count > 200 ? String(body.prefix(200)) + "..." : body
        return Self(.http, status: status, "HTTP \(status)" + (shown.isEmpty ? "" : ": \(shown)"))
    }

    static func connection(_ detail: String) -> Self {
        Self(.connection, "cannot reach the server: \(detail)")
    }

    static func badURL(_ text: String) -> Self {
        let shown = text.count > 200 ? String(text.prefix(200)) + "..." : text
        return Self(
            .badURL,
            "\"\(shown)\" is not a Prometheus base URL such as http://127.0.0.1:9090 (optionally with a path prefix)"
        )
    }

    static func timeout(_ seconds: Double) -> Self {
        Self(.timeout, "no answer within \(seconds) s")
    }
}
