import Foundation

/// An answer of the token socket before it becomes an HTTP response: status, JSON body, and the
/// `outcome` it was counted under.
public struct SocketReply: Sendable {
    public var status: Int
    /// JSON, UTF-8.
    public var body: [UInt8]
    public var outcome: String
    /// The `Allow` header of a 405.
    public var allow: String?
    /// Whether to send `WWW-Authenticate: Bearer` (a 401).
    public var challenge: Bool
    /// Whether to close the connection after the answer (a 413, whose body is not read).
    public var close: Bool

    public init(
        status: Int, body: [UInt8], outcome: String, allow: String? = nil, challenge: Bool = false, close: Bool = false
    ) {
        self.status = status
        self.body = body
        self.outcome = outcome
        self.allow = allow
        self.challenge = challenge
        self.close = close
    }

    /// A reply whose body is `value` encoded as JSON (keys sorted, slashes unescaped).
    static func json(_ value: some Encodable, status: Int, outcome: String) -> SocketReply {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = (try? encoder.encode(value)).map { Array($0) } ?? Array("{}".utf8)
        return SocketReply(status: status, body: body, outcome: outcome)
    }

    /// The error answer for `error`.
    static func error(_ error: SocketRequestError) -> SocketReply {
        var reply = Self.json(
            SocketErrorBody(error: error.outcome, message: error.message), status: error.status, outcome: error.outcome
        )
        reply.allow = error.allow
        reply.challenge = error.status == 401
        reply.close = error.status == 413
        return reply
    }
}
