/// Ways an issued access token can be wrong while the token response itself is correct: what the
/// `bad_token` fault makes the token endpoint issue, so that a client's token validation can be tried.
///
/// The request is processed normally (the client authenticates, a refresh token rotates); only the
/// access token in the answer is bad.
public struct BadAccessToken: Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// `exp` (and `iat`) well in the past.
    public static let expired = BadAccessToken(rawValue: "expired")
    /// `nbf` ten minutes in the future.
    public static let notYetValid = BadAccessToken(rawValue: "not_yet_valid")
    /// A signature that does not verify (one character of it changed).
    public static let badSignature = BadAccessToken(rawValue: "bad_signature")
    /// A `kid` header that names no published key (meaningful with RS256 signing).
    public static let unknownKid = BadAccessToken(rawValue: "unknown_kid")
    /// `iss` of another issuer.
    public static let wrongIssuer = BadAccessToken(rawValue: "wrong_issuer")
    /// `aud` of another audience.
    public static let wrongAudience = BadAccessToken(rawValue: "wrong_audience")
    /// A real token cut in the middle of its payload (the signature gone).
    public static let truncated = BadAccessToken(rawValue: "truncated")
    /// A real token with characters outside base64url in its payload.
    public static let notBase64 = BadAccessToken(rawValue: "not_base64")
    /// An unsecured JWT (`alg: none`, no signature).
    public static let algNone = BadAccessToken(rawValue: "alg_none")

    public static let all: [BadAccessToken] = [
        .expired, .notYetValid, .badSignature, .unknownKid, .wrongIssuer, .wrongAudience, .truncated, .notBase64,
        .algNone,
    ]
    public var description: String { self.rawValue }
}
