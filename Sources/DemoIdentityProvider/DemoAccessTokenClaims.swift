import JWTKit
import Primitives

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
    /// The audience, when the provider is configured with one.
    public var aud: AudienceClaim?
    /// Not before; only the `not_yet_valid` fault sets it.
    public var nbf: NotBeforeClaim?

    /// Creates claims.
    public init(
        issuer: String, subject: String, issuedAt: Date, lifetime: Duration, id: String, scope: String?,
        audience: String? = nil
    ) {
        self.aud = audience.map { AudienceClaim(value: [$0]) }
        self.iss = IssuerClaim(value: issuer)
        self.sub = SubjectClaim(value: subject)
        self.iat = IssuedAtClaim(value: issuedAt)
        self.exp = ExpirationClaim(value: issuedAt.addingTimeInterval(lifetime.seconds))
        self.jti = IDClaim(value: id)
        self.scope = scope
    }

    /// Checks that the token has not expired.
    public func verify(using algorithm: some JWTAlgorithm) async throws {
        try self.exp.verifyNotExpired()
    }
}
