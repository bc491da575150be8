import Foundation
import Primitives

/// The JSON shape in which a token is handed to other programs: `{access_token, token_type,
/// expires_at, expires_in}`, as `az account get-access-token` prints it and Vault Agent's JSON sinks
/// wrap it.
///
/// Why it exists: token files (exec, sinks), the token socket and `oauthtop token --json` all hand
/// the same four fields out; one type keeps their names and formats the same. `expires_at` is
/// RFC 3339 UTC, `expires_in` whole seconds from the moment the document was made (never negative).
public struct TokenDocument: Sendable, Hashable, Codable {
    public var accessToken: String
    public var tokenType: String
    /// RFC 3339 UTC, e.g. `2026-12-05T22:10:00Z`.
    public var expiresAt: String
    /// Seconds left when the document was made, at least 0.
    public var expiresIn: Int64

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token"
        case tokenType = "token_type"
        case expiresAt = "expires_at"
        case expiresIn = "expires_in"
    }

    /// The document of `token` as of `now` (Unix nanoseconds).
    public init(_ token: AccessToken, now: Int64) {
        self.accessToken = token.value.revealed
        self.tokenType = token.tokenType
        self.expiresAt = RFC3339.seconds(unixNanoseconds: token.expiresAt)
        let remaining = token.expiresAt > now ? token.expiresAt - now : 0
        self.expiresIn = remaining / 1_000_000_000
    }

    /// The document as one line of JSON with sorted keys (no trailing newline).
    public func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding four plain fields cannot fail; an empty object would be refused by readers anyway.
        return (try? Array(encoder.encode(self))) ?? Array("{}".utf8)
    }
}
