/// Why a Redis URL or configuration value is unusable, naming the part that is wrong.
///
/// The message quotes the scheme, host, port or database when one of them is wrong, but never the
/// user information: a password in the URL never appears in an error.
public struct RedisConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case missingScheme
        case unsupportedScheme(String)
        case badUserInfo(part: String)
        case emptyHost
        case badHost(String)
        case badPort(String?)
        case badDatabase(String)
        case unsupportedSuffix(String)
        case badValue(field: String, reason: String)
    }

    private let code: Code

    private init(_ code: Code) { self.code = code }

    static let missingScheme = Self(.missingScheme)
    static func unsupportedScheme(_ scheme: String) -> Self { Self(.unsupportedScheme(scheme)) }
    /// `part` is `username` or `password`; its value is never kept.
    static func badUserInfo(part: String) -> Self { Self(.badUserInfo(part: part)) }
    static let emptyHost = Self(.emptyHost)
    static func badHost(_ host: String) -> Self { Self(.badHost(host)) }
    static func badPort(_ port: String?) -> Self { Self(.badPort(port)) }
    static func badDatabase(_ path: String) -> Self { Self(.badDatabase(path)) }
    static func unsupportedSuffix(_ what: String) -> Self { Self(.unsupportedSuffix(what)) }
    /// A field of ``RedisConfiguration`` set to a value it cannot hold (`poolSize` 0, a negative timeout).
    static func badValue(field: String, reason: String) -> Self { Self(.badValue(field: field, reason: reason)) }

    public var description: String {
        switch self.code {
        case .missingScheme:
            "Redis URL: expected it to start with redis:// or rediss://"
        case .unsupportedScheme(let scheme):
            "Redis URL: scheme '\(scheme)' is not supported (use redis:// or rediss:// for TLS)"
        case .badUserInfo(let part):
            "Redis URL: the \(part) in the user information is not valid percent-encoding"
        case .emptyHost:
            "Redis URL: the host is empty (expected redis://HOST[:PORT][/DB])"
        case .badHost(let host):
            "Redis URL: host '\(host)' is not a valid host name or address"
        case .badPort(let port?):
            "Redis URL: port '\(port)' is not a number from 1 to 65535"
        case .badPort(nil):
            "Redis URL: the port (after the host's ':') is not a number from 1 to 65535"
        case .badDatabase(let path):
            "Redis URL: database '\(path)' is not a number from 0 to 2147483647 (expected /DB after the host)"
        case .unsupportedSuffix(let what):
            "Redis URL: \(what) is not supported (expected redis://[USER[:PASSWORD]@]HOST[:PORT][/DB])"
        case .badValue(let field, let reason):
            "Redis configuration: \(field) \(reason)"
        }
    }
}
