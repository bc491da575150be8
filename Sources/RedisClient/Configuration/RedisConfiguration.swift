import Primitives

/// Where a Redis server is and how to talk to it: address, database, credentials, TLS, timeouts, pool
/// size and reconnect backoff.
///
/// Usually made from a URL, `redis://[USER[:PASSWORD]@]HOST[:PORT][/DB]` or `rediss://...` for TLS:
///
/// ```swift
/// var configuration = try RedisConfiguration(url: "rediss://oauthtop@redis.internal:6380/2")
/// configuration.password = Secret(passwordFromEnvironment)
/// configuration.tls.caFile = "/etc/ssl/redis-ca.pem"
/// ```
///
/// A password may be in the URL (percent-encoded) but is better given separately as a ``Secret``
/// (``password``), read from an environment variable or a file: a URL travels through logs and
/// process listings more easily than a secret does. Errors about the URL never echo its password.
public struct RedisConfiguration: Sendable {
    /// TLS settings for `rediss://`.
    public struct TLS: Sendable, Hashable {
        /// Whether the connection uses TLS.
        public var isEnabled: Bool
        /// A PEM file of certificate authorities to trust instead of the system's.
        public var caFile: String?
        /// The name to send as SNI and to verify the server's certificate against, when it differs from
        /// ``RedisConfiguration/host`` (connecting by address to a server whose certificate names a host).
        public var serverName: String?

        public init(isEnabled: Bool, caFile: String? = nil, serverName: String? = nil) {
            self.isEnabled = isEnabled
            self.caFile = caFile
            self.serverName = serverName
        }

        /// Plain TCP.
        public static let disabled = TLS(isEnabled: false)
        /// TLS, trusting the system's certificate authorities or `caFile`.
        public static func enabled(caFile: String? = nil, serverName: String? = nil) -> TLS {
            TLS(isEnabled: true, caFile: caFile, serverName: serverName)
        }
    }

    /// The host name or address (an IPv6 address without brackets).
    public var host: String
    /// The TCP port; 6379 by default.
    public var port: Int
    /// The database selected on connect (`SELECT`); 0 by default, when no `SELECT` is sent.
    public var database: Int
    /// The ACL user; with ``password`` the client sends `AUTH user password`.
    public var username: String?
    /// The password; the client sends `AUTH password` (or `AUTH user password`) on connect.
    public var password: Secret?
    /// TLS on or off, the CA file and the server name.
    public var tls: TLS
    /// How long opening a connection may take: TCP connect, TLS handshake, `AUTH` and `SELECT` each.
    public var connectTimeout: Duration
    /// How long a command may wait for its reply. On expiry the connection is closed, since the replies
    /// that follow would be out of step, and every command waiting on it fails.
    public var commandTimeout: Duration
    /// The most connections the client opens (lazily, as concurrent commands need them).
    public var poolSize: Int
    /// How long to wait between attempts to reconnect.
    public var reconnect: RedisReconnectBackoff

    /// A configuration for `host:port`, with the defaults: database 0, no credentials, no TLS, 5-second
    /// connect and command timeouts, 4 connections, reconnect backoff from 100 ms to 10 s.
    public init(
        host: String,
        port: Int = 6379,
        database: Int = 0,
        username: String? = nil,
        password: Secret? = nil,
        tls: TLS = .disabled,
        connectTimeout: Duration = .seconds(5),
        commandTimeout: Duration = .seconds(5),
        poolSize: Int = 4,
        reconnect: RedisReconnectBackoff = .default
    ) {
        self.host = host
        self.port = port
        self.database = database
        self.username = username
        self.password = password
        self.tls = tls
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.poolSize = poolSize
        self.reconnect = reconnect
    }

    /// Parses `redis://[USER[:PASSWORD]@]HOST[:PORT][/DB]`, or `rediss://` for TLS.
    ///
    /// `USER` and `PASSWORD` are percent-decoded (`%40` for `@`); `HOST` may be a name, an IPv4
    /// address, or an IPv6 address in brackets (`[::1]`). Queries and fragments are rejected rather than
    /// silently ignored. Every other field keeps its default.
    ///
    /// - Parameters:
    ///   - url: The URL.
    ///   - password: A password given separately (from an environment variable or a file); it wins over
    ///     one in the URL.
    /// - Throws: ``RedisConfigurationError`` naming the part of the URL that is wrong, never quoting
    ///   its user information.
    public init(url: String, password: Secret? = nil) throws {
        let tls: TLS
        var rest: Substring
        if url.hasPrefix("redis://") {
            tls = .disabled
            rest = url.dropFirst("redis://".count)
        } else if url.hasPrefix("rediss://") {
            tls = .enabled()
            rest = url.dropFirst("rediss://".count)
        } else if let colon = url.firstIndex(of: ":"), url[colon...].hasPrefix("://") {
            // Only the scheme is quoted: it is everything before the first ':' of a URL that has one.
            throw RedisConfigurationError.unsupportedScheme(String(url[..<colon]))
        } else {
            throw RedisConfigurationError.missingScheme
        }

        var username: String?
        var urlPassword: Secret?
        // The last '@' ends the user information, so a password may hold an unencoded '@'.
        if let at = rest.lastIndex(of: "@") {
            let userInfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            let user: Substring
            if let colon = userInfo.firstIndex(of: ":") {
                user = userInfo[..<colon]
                guard let decoded = Self.percentDecode(userInfo[userInfo.index(after: colon)...]) else {
                    throw RedisConfigurationError.badUserInfo(part: "password")
                }
                urlPassword = decoded.isEmpty ? nil : Secret(decoded)
            } else {
                user = userInfo
            }
            guard let decodedUser = Self.percentDecode(user) else {
                throw RedisConfigurationError.badUserInfo(part: "username")
            }
            username = decodedUser.isEmpty ? nil : decodedUser
        }

        if let suffix = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) {
            throw RedisConfigurationError.unsupportedSuffix(
                rest[suffix] == "?" ? "a query (?...)" : "a fragment (#...)")
        }
        let path: Substring
        if let slash = rest.firstIndex(of: "/") {
            path = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
        } else {
            path = ""
        }

        let host: String
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw RedisConfigurationError.badHost(String(rest)) }
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw RedisConfigurationError.badHost(String(rest)) }
                portText = after.dropFirst()
            }
            guard !host.isEmpty, host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else {
                throw RedisConfigurationError.badHost(String(rest))
            }
        } else {
            if let colon = rest.lastIndex(of: ":") {
                host = String(rest[..<colon])
                portText = rest[rest.index(after: colon)...]
            } else {
                host = String(rest)
            }
            guard !host.isEmpty else { throw RedisConfigurationError.emptyHost }
            let allowed = host.unicodeScalars.allSatisfy { scalar in
                scalar.properties.isAlphabetic && scalar.isASCII || ("0"..."9").contains(scalar)
                    || scalar == "-" || scalar == "." || scalar == "_"
            }
            guard allowed else { throw RedisConfigurationError.badHost(host) }
        }

        var port = 6379
        if let portText {
            guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy(\.isASCIIDigit),
                let value = Int(portText), (1...65535).contains(value)
            else {
                // A port that is not digits is quoted only by its length: "redis://user:password" (the
                // '@host' forgotten) would otherwise put the password in the message.
                let quoted = portText.count <= 6 && portText.allSatisfy(\.isASCIIDigit)
                throw RedisConfigurationError.badPort(quoted ? String(portText) : nil)
            }
            port = value
        }

        var database = 0
        if !path.isEmpty {
            guard path.count <= 10, path.allSatisfy(\.isASCIIDigit), let value = Int(path), value <= Int(Int32.max)
            else { throw RedisConfigurationError.badDatabase(String(path)) }
            database = value
        }

        self.init(
            host: host, port: port, database: database, username: username, password: password ?? urlPassword,
            tls: tls
        )
    }

    /// Checks the fields a URL does not set: pool size, timeouts and backoff.
    ///
    /// - Throws: ``RedisConfigurationError`` naming the field.
    public func validate() throws {
        guard self.poolSize >= 1 else {
            throw RedisConfigurationError.badValue(field: "pool_size", reason: "must be at least 1")
        }
        guard self.connectTimeout > .zero else {
            throw RedisConfigurationError.badValue(field: "connect_timeout", reason: "must be positive")
        }
        guard self.commandTimeout > .zero else {
            throw RedisConfigurationError.badValue(field: "command_timeout", reason: "must be positive")
        }
        guard (1...65535).contains(self.port) else {
            throw RedisConfigurationError.badPort(String(self.port))
        }
        guard self.database >= 0 else { throw RedisConfigurationError.badDatabase(String(self.database)) }
        try self.reconnect.validate()
    }

    /// `%XX` sequences as bytes, decoded as UTF-8; `nil` when a `%` is not followed by two hex digits or
    /// the bytes are not UTF-8. Unlike form decoding, `+` stays `+`.
    static func percentDecode(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(Hex.digitValue), let low = iterator.next().flatMap(Hex.digitValue)
            else { return nil }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { self.isASCII && self.isWholeNumber }
}
