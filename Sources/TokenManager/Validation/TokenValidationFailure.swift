/// Why a token was refused before it was handed out.
///
/// ``check`` is a short bounded label (the `check` label of
/// `oauth_refresh_failures_total{reason="invalid_token"}` and the `check` field of the `token_rejected`
/// event); ``detail`` says what was wrong in words. Neither ever contains the token.
public struct TokenValidationFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// Which check refused the token: a struct with static members, so new checks do not break switches.
    public struct Check: Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// Not a compact JWT where one is required: wrong number of parts, not base64url, not JSON.
        public static let structure = Check(rawValue: "structure")
        /// `exp` is in the past, beyond the leeway.
        public static let expired = Check(rawValue: "expired")
        /// `nbf` (or `iat`) is in the future, beyond the leeway.
        public static let notYetValid = Check(rawValue: "not_yet_valid")
        /// `alg` is `none`, not allowed, or does not fit the key (algorithm confusion).
        public static let algorithm = Check(rawValue: "algorithm")
        /// The signature does not verify with the issuer's key.
        public static let signature = Check(rawValue: "signature")
        /// No key of the issuer's JWKS has the token's `kid`, even after a refetch.
        public static let unknownKid = Check(rawValue: "unknown_kid")
        /// The issuer's keys could not be fetched or read (JWKS or metadata unreachable or broken).
        public static let keysUnavailable = Check(rawValue: "keys_unavailable")
        /// `iss` is missing or not the configured issuer.
        public static let issuer = Check(rawValue: "issuer")
        /// `aud` is missing or names none of the configured audiences.
        public static let audience = Check(rawValue: "audience")
        /// RFC 7662 introspection answered `active: false`.
        public static let inactive = Check(rawValue: "inactive")
        /// The live probe failed: the probe URL did not answer 2xx, or introspection could not be asked.
        public static let probe = Check(rawValue: "probe")

        /// Every check, the bounded set of label values.
        public static let all: [Check] = [
            .structure, .expired, .notYetValid, .algorithm, .signature, .unknownKid, .keysUnavailable, .issuer,
            .audience, .inactive, .probe,
        ]

        public var description: String { self.rawValue }
    }

    public var check: Check
    /// What was wrong, free of the token and of any secret.
    public var detail: String

    public init(_ check: Check, _ detail: String) {
        self.check = check
        self.detail = detail
    }

    public var description: String { "\(self.check): \(self.detail)" }
}
