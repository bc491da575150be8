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
/// It checks the bearer token as a resource server would (RFC 6750): the signature with the
/// provider's signing key, `exp`, and `iss` equal to the configured issuer (the demo sets no `aud`).
/// A valid token gets 200 with the token's subject and seconds left; a missing one gets 401 with
/// `WWW-Authenticate: Bearer realm="oauthtop-demo"`, an invalid one 401 with
/// `error="invalid_token"` and a description. Scheduled faults apply to the token endpoint only.
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
        guard let header = request.headers[.authorization] else {
            return self.reject(error: nil, description: "no bearer token")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            return self.reject(error: "invalid_request", description: "the Authorization header is not Bearer")
        }
        let token = String(parts[1]).trimmingCharacters(in: .whitespaces)
        let claims: DemoAccessTokenClaims
        do {
            claims = try await self.keys.verify(token, as: DemoAccessTokenClaims.self)
        } catch {
            return self.reject(error: "invalid_token", description: Self.describe(error))
        }
        guard claims.iss.value == self.provider.configuration.issuer else {
            return self.reject(error: "invalid_token", description: "the token was issued by another issuer")
        }
        self.provider.state.withLock { $0.resourceAccepted += 1 }
        let left = Int64(claims.exp.value.timeIntervalSinceNow.rounded(.down))
        return TokenResponses.json(
            Accepted(sub: claims.sub.value, expires_in: max(0, left), scope: claims.scope), status: .ok
        )
    }

    private func reject(error: String?, description: String) -> Response {
        self.provider.state.withLock { $0.resourceRejected += 1 }
        var challenge = "Bearer realm=\"\(Self.realm)\""
        if let error { challenge += ", error=\"\(error)\", error_description=\"\(description)\"" }
        var headers = HTTPFields()
        headers[.wwwAuthenticate] = challenge
        self.logger.debug(
            "resource request refused", metadata: ["error": "\(error ?? "none")", "why": "\(description)"]
        )
        return TokenResponses.raw(
            "unauthorized: \(description)\n", status: .unauthorized, contentType: "text/plain;charset=UTF-8",
            headers: headers
        )
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
