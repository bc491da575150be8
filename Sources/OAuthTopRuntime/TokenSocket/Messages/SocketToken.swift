import Primitives

/// The answer of `GET /v1/token/{provider}` and what `oauthtop token --json` prints:
/// `{access_token, token_type, expires_at, expires_in}`, as `az account get-access-token` does.
///
/// Printing it shows only the token's fingerprint; ``accessToken``'s `revealed` is the one way to
/// the value.
public struct SocketToken: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The access token.
    public var accessToken: Secret
    /// `Bearer` unless the provider says otherwise.
    public var tokenType: String
    /// When it expires, RFC 3339 in UTC.
    public var expiresAt: String
    /// Seconds until it expires, when the answer was made.
    public var expiresIn: Int64

    public init(accessToken: Secret, tokenType: String, expiresAt: String, expiresIn: Int64) {
        self.accessToken = accessToken
        self.tokenType = tokenType
        self.expiresAt = expiresAt
        self.expiresIn = expiresIn
    }

    /// When it expires, in Unix nanoseconds; `nil` when ``expiresAt`` is not RFC 3339.
    public var expiresAtNanoseconds: Int64? { RFC3339.parse(self.expiresAt) }

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token"
        case tokenType = "token_type"
        case expiresAt = "expires_at"
        case expiresIn = "expires_in"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.accessToken = Secret(try container.decode(String.self, forKey: .accessToken))
        self.tokenType = try container.decode(String.self, forKey: .tokenType)
        self.expiresAt = try container.decode(String.self, forKey: .expiresAt)
        self.expiresIn = try container.decode(Int64.self, forKey: .expiresIn)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.accessToken.revealed, forKey: .accessToken)
        try container.encode(self.tokenType, forKey: .tokenType)
        try container.encode(self.expiresAt, forKey: .expiresAt)
        try container.encode(self.expiresIn, forKey: .expiresIn)
    }

    public var description: String {
        "\(self.tokenType) token \(self.accessToken) expiring at \(self.expiresAt)"
    }
}
