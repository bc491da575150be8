import JWTKit

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The claims of an access token the demo identity provider issues.
public struct DemoAccessTokenClaims: JWTPayload {
    /// The provider's configured issuer.
    public var iss: IssuerClaim
    /// The client the token was issued to.
    public var sub: SubjectClaim
    /// When the token expires: issue time plus the configured lifetime.
    public var exp: ExpirationClaim
    /// When it was issued.
    public var iat: IssuedAtClaim
    /// A unique id per token.
    public var jti: IDClaim
    /// The granted scope, space-separated, if any was requested.
    public var scope: String?

    /// Creates claims.
    public init(issuer: String, subject: String, issuedAt: Date, lifetime: Duration, id: String, scope: String?) {
        self.iss = IssuerClaim(value: issuer)
        self.sub = SubjectClaim(value: subject)
        self.iat = IssuedAtClaim(value: issuedAt)
        self.exp = ExpirationClaim(value: issuedAt.addingTimeInterval(lifetime.timeInterval))
        self.jti = IDClaim(value: id)
        self.scope = scope
    }

    /// Checks that the token has not expired.
    public func verify(using algorithm: some JWTAlgorithm) async throws {
        try self.exp.verifyNotExpired()
    }
}

extension Duration {
    var timeInterval: Double {
        let (seconds, attoseconds) = self.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// The duration in whole seconds, rounded up (a `Retry-After` or `expires_in` never promises less).
    var wholeSecondsRoundedUp: Int64 {
        let (seconds, attoseconds) = self.components
        return attoseconds > 0 ? seconds + 1 : seconds
    }
}
