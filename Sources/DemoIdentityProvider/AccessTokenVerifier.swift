import Hummingbird
import JWTKit

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Checks access tokens as a resource server does (RFC 6750): the one implementation behind the protected
/// resource (`/api/resource`), the protected API (`/api/v1/...`) and RFC 7662 introspection.
///
/// A token is accepted when its signature verifies with one of the provider's signing keys, it has not
/// expired (`exp`) and is already valid (`nbf`), names the configured issuer (`iss`) and, when one is
/// configured, the audience (`aud`), and has not been revoked (the `revoke_token` fault).
struct AccessTokenVerifier: Sendable {
    let provider: DemoIdentityProvider
    let keys: JWTKeyCollection

    /// Why a request's token was not accepted: an RFC 6750 §3.1 error code (none when no token was sent)
    /// and a short description that never contains the token.
    struct Rejection: Error, Sendable {
        var error: String?
        var description: String
    }

    /// The bearer token of an `Authorization` header, checked.
    ///
    /// - Returns: The token's claims and the token, or why it was refused: no header (no error code), a
    ///   header that is not `Bearer` (`invalid_request`), or a bad token (`invalid_token`).
    func verify(authorization header: String?) async
        -> Result<(claims: DemoAccessTokenClaims, token: String), Rejection>
    {
        guard let header else { return .failure(Rejection(error: nil, description: "no bearer token")) }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            return .failure(Rejection(error: "invalid_request", description: "the Authorization header is not Bearer"))
        }
        let token = trimmedSpaces(parts[1])
        return await self.verify(token: token).map { (claims: $0, token: token) }
    }

    /// One token, checked.
    func verify(token: String) async -> Result<DemoAccessTokenClaims, Rejection> {
        let claims: DemoAccessTokenClaims
        do {
            claims = try await self.keys.verify(token, as: DemoAccessTokenClaims.self)
        } catch {
            return .failure(Rejection(error: "invalid_token", description: Self.describe(error)))
        }
        let configuration = self.provider.configuration
        guard claims.iss.value == configuration.issuer else {
            return .failure(Rejection(error: "invalid_token", description: "the token was issued by another issuer"))
        }
        if let audience = configuration.audience, !(claims.aud?.value.contains(audience) ?? false) {
            return .failure(Rejection(error: "invalid_token", description: "the token is for another audience"))
        }
        if let notBefore = claims.nbf?.value, notBefore > Date() {
            return .failure(Rejection(error: "invalid_token", description: "the token is not valid yet"))
        }
        if self.provider.state.withLock({ $0.revokedTokenIDs.contains(claims.jti.value) }) {
            return .failure(Rejection(error: "invalid_token", description: "the token was revoked"))
        }
        return .success(claims)
    }

    /// The `WWW-Authenticate` challenge for a rejection (RFC 6750 §3): the realm, and the error code and
    /// description when there is one.
    static func challenge(_ rejection: Rejection) -> String {
        var challenge = "Bearer realm=\"\(ProtectedResource.realm)\""
        if let error = rejection.error {
            challenge += ", error=\"\(error)\", error_description=\"\(rejection.description)\""
        }
        return challenge
    }

    /// A short reason, never the token.
    private static func describe(_ error: any Error) -> String {
        switch (error as? JWTError)?.errorType {
        case .claimVerificationFailure?: "the token has expired"
        case .signatureVerificationFailed?: "the token's signature does not verify"
        case .unknownKID?, .missingKIDHeader?: "the token was not signed with this provider's key"
        default: "the token is malformed"
        }
    }
}
