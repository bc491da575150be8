import JWTKit

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Makes the bad access tokens of the `bad_token` fault.
enum BadAccessTokens {
    /// The bad kind the token being issued must have. A task-local, so the fault reaches the signing step
    /// without threading a parameter through the grant handling (which is the same as for a good token).
    @TaskLocal static var current: BadAccessToken?

    static let wrongIssuer = "https://wrong-issuer.oauthtop.invalid"
    static let wrongAudience = "https://wrong-audience.oauthtop.invalid"
    static let unpublishedKeyID = "demo-key-unpublished"

    /// A token like the good one of `claims`, bad in the way `kind` says.
    static func make(_ kind: BadAccessToken, claims: DemoAccessTokenClaims, keys: JWTKeyCollection, keyID: String)
        async throws -> String
    {
        var claims = claims
        var kid = keyID
        let now = Date()
        switch kind {
        case .expired:
            claims.iat = IssuedAtClaim(value: now.addingTimeInterval(-3600))
            claims.exp = ExpirationClaim(value: now.addingTimeInterval(-600))
        case .notYetValid:
            claims.nbf = NotBeforeClaim(value: now.addingTimeInterval(600))
        case .wrongIssuer:
            claims.iss = IssuerClaim(value: Self.wrongIssuer)
        case .wrongAudience:
            claims.aud = AudienceClaim(value: [Self.wrongAudience])
        case .unknownKid:
            // jwt-kit signs with its default (first) key when the kid is unknown to it.
            kid = Self.unpublishedKeyID
        case .algNone:
            let header = DemoSigning.base64URL(Array(#"{"alg":"none","typ":"JWT"}"#.utf8))
            let payload = DemoSigning.base64URL(Array(try JSONEncoder.forClaims.encode(claims)))
            return "\(header).\(payload)."
        default:
            break
        }
        let token = try await keys.sign(claims, kid: JWKIdentifier(string: kid))
        switch kind {
        case .badSignature:
            // Change the signature's first character (which carries six full bits of the signature).
            guard let dot = token.lastIndex(of: ".") else { return token }
            let first = token.index(after: dot)
            guard first < token.endIndex else { return token }
            let replacement: Character = token[first] == "A" ? "B" : "A"
            return String(token[..<first]) + String(replacement) + String(token[token.index(after: first)...])
        case .truncated:
            // Cut in the middle of the payload, as a copy-paste or a length limit would.
            let parts = token.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 3 else { return token }
            return String(parts[0]) + "." + String(parts[1].prefix(parts[1].count / 2))
        case .notBase64:
            guard let dot = token.firstIndex(of: ".") else { return token }
            return String(token[...dot]) + "%%" + String(token[token.index(after: dot)...])
        default:
            return token
        }
    }
}

extension JSONEncoder {
    /// Encodes claims as jwt-kit does: dates as NumericDate (seconds since 1970).
    static var forClaims: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        encoder.outputFormatting = .sortedKeys
        return encoder
    }
}
