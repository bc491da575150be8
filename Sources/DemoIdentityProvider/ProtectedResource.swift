import Hummingbird
import JWTKit
import Logging

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The demo's protected API (`GET /api/resource`): the resource server that jobs call with the token
/// the provider issued, so a test or the demo can show that every call was accepted.
///
/// It checks the bearer token as a resource server would (RFC 6750), with ``AccessTokenVerifier``: the
/// signature with the provider's signing key, `exp` and `nbf`, `iss` equal to the configured issuer, `aud`
/// when one is configured, and revocation. A valid token gets 200 with the token's subject and seconds
/// left; a missing one gets 401 with `WWW-Authenticate: Bearer realm="oauthtop-demo"`, an invalid one 401
/// with `error="invalid_token"` and a description. Scheduled faults do not apply to it (the API's faults apply to
/// `/api/v1/...`, ``DemoAPI``), but a token the `revoke_token` fault revoked is refused here too.
struct ProtectedResource: Sendable {
    let provider: DemoIdentityProvider
    let keys: JWTKeyCollection
    let logger: Logger

    static let realm = "oauthtop-demo"

    private struct Accepted: Encodable {
        var sub: String
        var expires_in: Int64
        var scope: String?
    }

    func respond(to request: Request) async -> Response {
        guard request.method == .get || request.method == .head else {
            var headers = HTTPFields()
            headers[.allow] = "GET, HEAD"
            return TokenResponses.raw(
                "the resource accepts GET\n", status: .methodNotAllowed, contentType: "text/plain;charset=UTF-8",
                headers: headers
            )
        }
        let claims: DemoAccessTokenClaims
        switch await AccessTokenVerifier(provider: self.provider, keys: self.keys)
            .verify(authorization: request.headers[.authorization])
        {
        case .success(let accepted): claims = accepted.claims
        case .failure(let rejection): return self.reject(rejection)
        }
        self.provider.state.withLock { $0.resourceAccepted += 1 }
        let left = Int64(claims.exp.value.timeIntervalSinceNow.rounded(.down))
        return TokenResponses.json(
            Accepted(sub: claims.sub.value, expires_in: max(0, left), scope: claims.scope), status: .ok
        )
    }

    private func reject(_ rejection: AccessTokenVerifier.Rejection) -> Response {
        self.provider.state.withLock { $0.resourceRejected += 1 }
        var headers = HTTPFields()
        headers[.wwwAuthenticate] = AccessTokenVerifier.challenge(rejection)
        self.logger.debug(
            "resource request refused",
            metadata: ["error": "\(rejection.error ?? "none")", "why": "\(rejection.description)"]
        )
        return TokenResponses.raw(
            "unauthorized: \(rejection.description)\n", status: .unauthorized, contentType: "text/plain;charset=UTF-8",
            headers: headers
        )
    }
}
