/// Why a Redis command or connection failed.
///
/// The message names the command by its first argument only (`SET`, `EVALSHA`): the other arguments
/// carry keys, tokens and passwords, and never appear here. A server error reply (`-ERR ...`) keeps
/// the server's message, which Redis writes without echoing arguments it considers secret (`AUTH`'s
/// password).
public struct RedisError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case server
        case connect
        case connectTimeout
        case commandTimeout
        case connectionClosed
        case protocolViolation
        case unexpectedReply
        case unavailable
        case shutdown
        case tls
    }

    private let code: Code
    /// The command's name (its first argument, upper-cased), when the failure belongs to one command.
    public let command: String?
    /// What went wrong, free of arguments and secrets.
    public let message: String

    private init(_ code: Code, command: String?, message: String) {
        self.code = code
        self.command = command
        self.message = message
    }

    /// The server answered `command` with an error reply; `message` is the reply without its `-`.
    public static func server(command: String, message: String) -> RedisError {
        RedisError(.server, command: command, message: message)
    }
    /// Opening a connection failed (refused, unreachable, closed during `AUTH`).
    static func connect(_ endpoint: String, reason: String) -> RedisError {
        RedisError(.connect, command: nil, message: "cannot connect to \(endpoint): \(reason)")
    }
    static func connectTimeout(_ endpoint: String, after timeout: Duration) -> RedisError {
        RedisError(.connectTimeout, command: nil, message: "connecting to \(endpoint) took longer than \(timeout)")
    }
    static func commandTimeout(command: String, after timeout: Duration) -> RedisError {
        RedisError(
            .commandTimeout, command: command,
            message: "no reply within \(timeout); the connection was closed (later replies would be out of step)"
        )
    }
    static func connectionClosed(command: String?, reason: String? = nil) -> RedisError {
        let why = reason.map { " (\($0))" } ?? ""
        return RedisError(
            .connectionClosed, command: command, message: "the connection closed before the reply arrived\(why)")
    }
    static func protocolViolation(_ reason: String) -> RedisError {
        RedisError(.protocolViolation, command: nil, message: reason)
    }
    static func unexpectedReply(command: String, got: RESPValue, expected: String) -> RedisError {
        RedisError(.unexpectedReply, command: command, message: "expected \(expected), got \(got.typeName)")
    }
    static func unavailable(_ endpoint: String, retryIn delay: Duration, lastError: String) -> RedisError {
        RedisError(
            .unavailable, command: nil,
            message: "\(endpoint) is unreachable; next attempt in \(delay) (last error: \(lastError))"
        )
    }
    static let shutdown = RedisError(.shutdown, command: nil, message: "the Redis client is shut down")
    static func tls(_ reason: String) -> RedisError { RedisError(.tls, command: nil, message: "TLS: \(reason)") }

    /// A short, bounded code for metrics and logs: `server_error`, `timeout`, `connection`, ...
    public var shortCode: String {
        switch self.code {
        case .server: "server_error"
        case .connect, .connectionClosed, .unavailable: "connection"
        case .connectTimeout, .commandTimeout: "timeout"
        case .protocolViolation, .unexpectedReply: "protocol"
        case .shutdown: "shutdown"
        case .tls: "tls"
        }
    }

    /// Whether the server answered with an error reply (the connection is fine).
    public var isServerError: Bool { self.code == .server }
    /// Whether a connect or a command ran out of time.
    public var isTimeout: Bool { self.code == .connectTimeout || self.code == .commandTimeout }
    /// Whether the server could not be reached or the connection broke: the command may not have run, or
    /// may have run without its reply arriving.
    public var isConnectionError: Bool {
        [.connect, .connectTimeout, .commandTimeout, .connectionClosed, .unavailable, .tls].contains(self.code)
    }

    /// The first word of a server error (`NOSCRIPT`, `WRONGPASS`, `ERR`), or `nil` for other errors.
    public var serverErrorPrefix: String? {
        guard self.code == .server else { return nil }
        return self.message.split(separator: " ", maxSplits: 1).first.map(String.init)
    }

    public var description: String {
        if let command { return "Redis \(command): \(self.message)" }
        return "Redis: \(self.message)"
    }
}
