/// The body of every error answer of the socket: `{"error": CODE, "message": TEXT}`, where CODE is
/// short and bounded (`unknown_provider`, `refresh_failed`, `forbidden`, ...) and TEXT says what was
/// wrong, never with a secret.
public struct SocketErrorBody: Sendable, Hashable, Codable {
    public var error: String
    public var message: String

    public init(error: String, message: String) {
        self.error = error
        self.message = message
    }
}
