/// What a request to the token socket asks for, parsed from its method and request target.
///
/// The parser is pure and total: any bytes give a route, `nil` (a path the socket's own endpoints do
/// not claim, left to routes added by others and else answered 404), or a ``SocketRequestError``
/// carrying the 4xx status to answer with. It is the input the fuzz target `FuzzSocketRequest` feeds.
public enum SocketRoute: Sendable, Hashable {
    /// `GET /v1/token/{provider}`.
    case token(provider: String)
    /// `GET /v1/status`.
    case status
    /// `GET /v1/dashboard`: what an attached dashboard shows apart from its panels (providers, consumers,
    /// alerts, recent events), as a ``DashboardSnapshot`` without panels.
    case dashboard
    /// `POST /v1/refresh/{provider}`, or `POST /v1/refresh` for every provider (`nil`).
    case refresh(provider: String?)
    /// Prometheus's HTTP API: `GET`/`POST /api/v1/query`, `GET`/`POST /api/v1/query_range`, `GET /api/v1/alerts`.
    case prometheus(PrometheusAPIRoute)

    /// The longest request target accepted; longer ones get 414.
    public static let maxTargetLength = 2048
    /// The longest provider name accepted in a path (configured names are shorter).
    public static let maxProviderNameLength = 128

    /// The provider the route names, if any.
    public var provider: String? {
        switch self {
        case .token(let provider): provider
        case .refresh(let provider): provider
        case .status, .dashboard, .prometheus: nil
        }
    }

    /// Parses a request.
    ///
    /// - Parameters:
    ///   - method: The HTTP method, e.g. `GET`.
    ///   - target: The request target as sent (`/v1/token/github?x=1`); the query is ignored.
    /// - Returns: The route, or `nil` for a path outside the socket's own endpoints.
    /// - Throws: ``SocketRequestError`` with a 4xx status: a target too long (414) or not a path
    ///   (400), a method the endpoint does not take (405), a missing or malformed provider name (400).
    public static func parse(method: String, target: String) throws(SocketRequestError) -> SocketRoute? {
        guard target.utf8.count <= Self.maxTargetLength else { throw .targetTooLong(length: target.utf8.count) }
        var path = Substring(target)
        if let end = path.firstIndex(where: { $0 == "?" || $0 == "#" }) { path = path[..<end] }
        guard path.hasPrefix("/") else { throw .notAPath }
        let segments = path.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        if segments.count == 3, segments[0] == "api", segments[1] == "v1" {
            return try Self.prometheus(method: method, segments[2])
        }
        guard segments.count >= 2, segments[0] == "v1" else { return nil }
        switch (segments[1], segments.count) {
        case ("status", 2):
            try Self.require(method, "GET", for: "/v1/status")
            return .status
        case ("dashboard", 2):
            try Self.require(method, "GET", for: "/v1/dashboard")
            return .dashboard
        case ("token", 2), ("token", 3):
            try Self.require(method, "GET", for: "/v1/token/{provider}")
            guard segments.count == 3, !segments[2].isEmpty else { throw .missingProvider }
            return .token(provider: try Self.providerName(segments[2]))
        case ("refresh", 2):
            try Self.require(method, "POST", for: "/v1/refresh")
            return .refresh(provider: nil)
        case ("refresh", 3):
            try Self.require(method, "POST", for: "/v1/refresh/{provider}")
            guard !segments[2].isEmpty else { return .refresh(provider: nil) }
            return .refresh(provider: try Self.providerName(segments[2]))
        default:
            return nil
        }
    }

    /// The Prometheus API endpoints the socket serves (`nil` for others, which get a 404).
    private static func prometheus(method: String, _ name: Substring) throws(SocketRequestError) -> SocketRoute? {
        guard let route = PrometheusAPIRoute(rawValue: String(name)) else { return nil }
        switch route {
        case .query, .queryRange:
            guard method == "GET" || method == "POST" else {
                throw .methodNotAllowed(method: method, allowed: "GET, POST", path: "/api/v1/\(name)")
            }
        case .alerts:
            try Self.require(method, "GET", for: "/api/v1/alerts")
        }
        return .prometheus(route)
    }

    private static func require(_ method: String, _ allowed: String, for path: String) throws(SocketRequestError) {
        guard method == allowed else { throw .methodNotAllowed(method: method, allowed: allowed, path: path) }
    }

    /// A provider name as configuration allows it: `A-Z a-z 0-9 _ . -`, not percent-encoded.
    private static func providerName(_ segment: Substring) throws(SocketRequestError) -> String {
        guard segment.utf8.count <= Self.maxProviderNameLength,
            segment.utf8.allSatisfy({ byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == 0x5F || byte == 0x2E || byte == 0x2D
            }),
            segment != ".", segment != ".."
        else { throw .malformedProvider }
        return String(segment)
    }
}
