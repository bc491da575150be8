/// Why the token socket refused a request, with the HTTP status to answer and a bounded code for
/// the `outcome` label of `oauth_token_requests_total`.
public struct SocketRequestError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: String, Sendable, Hashable {
        case targetTooLong = "uri_too_long"
        case notAPath = "bad_request"
        case methodNotAllowed = "method_not_allowed"
        case missingProvider = "missing_provider"
        case malformedProvider = "malformed_provider"
        case bodyTooLarge = "too_large"
        case notFound = "not_found"
        case unsupportedMediaType = "unsupported_media_type"
        case forbidden
        case unauthorized
    }

    private let code: Code
    /// The HTTP status to answer with (4xx).
    public let status: Int
    /// What was wrong, for the answer's body; never a secret.
    public let message: String
    /// The `Allow` header of a 405.
    public let allow: String?

    private init(_ code: Code, status: Int, message: String, allow: String? = nil) {
        self.code = code
        self.status = status
        self.message = message
        self.allow = allow
    }

    /// A short bounded code: the error body's `error` and the metric's `outcome`.
    public var outcome: String { self.code.rawValue }

    public var description: String { "\(self.status) \(self.code.rawValue): \(self.message)" }

    static func targetTooLong(length: Int) -> Self {
        Self(
            .targetTooLong, status: 414,
            message: "the request target is \(length) bytes; at most \(SocketRoute.maxTargetLength) are accepted"
        )
    }

    static let notAPath = Self(.notAPath, status: 400, message: "the request target must be a path starting with '/'")

    static func methodNotAllowed(method: String, allowed: String, path: String) -> Self {
        let shown = method.count > 16 ? String(method.prefix(16)) + "..." : method
        return Self(.methodNotAllowed, status: 405, message: "\(path) takes \(allowed), not \(shown)", allow: allowed)
    }

    static let missingProvider = Self(
        .missingProvider, status: 400, message: "name the provider: /v1/token/{provider}"
    )

    static let malformedProvider = Self(
        .malformedProvider, status: 400,
        message: "a provider name has 1 to \(SocketRoute.maxProviderNameLength) letters, digits, '_', '.' or '-'"
    )

    /// A request body over `limit` bytes (413).
    public static func bodyTooLarge(limit: Int) -> Self {
        Self(
            .bodyTooLarge, status: 413,
            message: "request bodies are at most \(limit) bytes (only POST /api/v1/query[_range] forms take one)"
        )
    }

    /// A path no endpoint serves (404).
    public static func notFound(path: String) -> Self {
        let shown = path.count > 80 ? String(path.prefix(80)) + "..." : path
        return Self(
            .notFound, status: 404,
            message: "no endpoint \(shown); see GET /v1/status, GET /v1/token/{provider}, "
                + "POST /v1/refresh[/{provider}], GET|POST /api/v1/query, GET|POST /api/v1/query_range, "
                + "GET /api/v1/alerts"
        )
    }

    /// A `POST` body that is not a form (415).
    public static func unsupportedMediaType(_ type: String) -> Self {
        let shown = type.count > 64 ? String(type.prefix(64)) + "..." : type
        return Self(
            .unsupportedMediaType, status: 415,
            message: "POST /api/v1/... takes an application/x-www-form-urlencoded body, not '\(shown)'"
        )
    }

    /// A Unix-socket peer that is neither the daemon's user nor in its group (403).
    public static func forbidden(_ reason: String) -> Self {
        Self(.forbidden, status: 403, message: reason)
    }

    /// A TCP request without the right bearer secret (401).
    public static let unauthorized = Self(
        .unauthorized, status: 401,
        message: "the TCP listener requires 'Authorization: Bearer SECRET' with the secret of its secret file"
    )
}
