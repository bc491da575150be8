import Primitives

/// A credential helper's answer to `get`: `username`, `password` and `password_expiry_utc` lines,
/// which git reads as the credential for the request (git before 2.41 ignores the expiry).
public struct GitCredentialReply: Sendable, Hashable {
    /// The user name when neither `--username` nor the request gives one; what GitHub, Gitea and
    /// GitLab accept beside an OAuth access token.
    public static let defaultUsername = "x-access-token"

    public var username: String
    public var password: Secret
    /// When the password expires, in Unix seconds.
    public var expiryUnixSeconds: Int64?

    public init(username: String, password: Secret, expiryUnixSeconds: Int64?) {
        self.username = username
        self.password = password
        self.expiryUnixSeconds = expiryUnixSeconds
    }

    /// The answer for `request` with `token`: the user name is `username` if given, else the
    /// request's, else ``defaultUsername``.
    public init(request: GitCredentialRequest, token: SocketToken, username: String?) {
        self.init(
            username: username ?? request.username ?? Self.defaultUsername,
            password: token.accessToken,
            expiryUnixSeconds: token.expiresAtNanoseconds.map { $0 / 1_000_000_000 }
        )
    }

    /// The lines to write to stdout, the password in clear (this is the one place it is sent).
    ///
    /// - Throws: ``CredentialHelperError`` when the user name or password holds a newline or NUL,
    ///   which the line protocol cannot carry.
    public func formatted() throws(CredentialHelperError) -> String {
        for (key, value) in [("username", self.username), ("password", self.password.revealed)]
        where value.utf8.contains(where: { $0 == 0 || $0 == UInt8(ascii: "\n") }) {
            throw .unwritableValue(key)
        }
        var text = "username=\(self.username)\npassword=\(self.password.revealed)\n"
        if let expiry = self.expiryUnixSeconds {
            text += "password_expiry_utc=\(expiry)\n"
        }
        return text
    }
}
