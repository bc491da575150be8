import Hummingbird
import JWTKit
import Logging

// JSONSerialization (for the heterogeneous JSON documents) is in Foundation, not FoundationEssentials.
import Foundation

/// What a resource server or a validating client asks the provider besides tokens: the JWKS document
/// (RFC 7517), the metadata documents (RFC 8414 §3, OpenID Connect Discovery §4), and RFC 7662
/// introspection. Served on every endpoint's listener; token-endpoint faults do not apply to them, the
/// `inactive_token` fault applies to introspection only.
struct DiscoveryEndpoints: Sendable {
    let provider: DemoIdentityProvider
    let keys: JWTKeyCollection
    let endpoint: String
    let logger: Logger

    static let authorizationServerPath = "/.well-known/oauth-authorization-server"
    static let openIDConfigurationPath = "/.well-known/openid-configuration"

    private var configuration: DemoIdentityProviderConfiguration { self.provider.configuration }

    /// The answer for a discovery path, `nil` for any other path.
    func respond(to request: Request) async -> Response? {
        let path = request.uri.path
        if path == self.configuration.jwksPath {
            return self.jwks()
        }
        if path == Self.authorizationServerPath || path == Self.openIDConfigurationPath {
            return self.metadata()
        }
        if path == self.configuration.introspectionPath {
            return await self.introspect(request)
        }
        return nil
    }

    private func jwks() -> Response {
        let keys = self.provider.state.withLock { state in
            state.jwksRequests += 1
            return state.publishedKeys
        }
        return Self.json(["keys": keys])
    }

    private func metadata() -> Response {
        self.provider.state.withLock { $0.metadataRequests += 1 }
        let base = (try? self.provider.endpoint(named: self.endpoint)).map { endpoint in
            let authority = endpoint.host.contains(":") ? "[\(endpoint.host)]" : endpoint.host
            return "http://\(authority):\(endpoint.port)"
        } ?? ""
        let document: [String: String] = [
            "issuer": self.configuration.issuer,
            "token_endpoint": base + self.configuration.path,
            "jwks_uri": base + self.configuration.jwksPath,
            "introspection_endpoint": base + self.configuration.introspectionPath,
        ]
        return Self.json(document)
    }

    /// RFC 7662 §2: the client authenticates; the token is active when it verifies with the provider's keys,
    /// has not expired, names this issuer (and audience, if one is configured) and was not revoked
    /// (``AccessTokenVerifier``).
    private func introspect(_ request: Request) async -> Response {
        let arrival = self.provider.elapsed()
        let fault = self.provider.state.withLock { state in
            state.introspectionRequests += 1
            return state.decideFault(endpoint: self.endpoint, at: arrival, request: .introspection)
        }
        guard request.method == .post else {
            return TokenResponses.error("invalid_request", "introspection accepts only POST", status: .methodNotAllowed)
                .response
        }
        var request = request
        guard let body = try? await request.collectBody(upTo: self.configuration.maximumBodySize),
            let form = FormParameters.parse(body.readableBytesView)
        else {
            return TokenResponses.error("invalid_request", "the body is not form-urlencoded").response
        }
        let endpoint = TokenEndpoint(provider: self.provider, keys: self.keys, endpoint: self.endpoint, logger: self.logger)
        if case .failure(let rejection) = endpoint.authenticate(request.headers, form) {
            return rejection.reply.response
        }
        guard let token = form["token"], !token.isEmpty else {
            return TokenResponses.error("invalid_request", "the token parameter is missing").response
        }
        if fault != nil {
            self.logger.debug("introspection answered inactive (injected fault)")
            return Self.json(["active": false])
        }
        // Active exactly when the protected resource would accept it (revoked tokens included).
        guard case .success(let claims) = await AccessTokenVerifier(provider: self.provider, keys: self.keys)
            .verify(token: token)
        else {
            return Self.json(["active": false])
        }
        var answer: [String: Any] = [
            "active": true, "iss": claims.iss.value, "sub": claims.sub.value, "client_id": claims.sub.value,
            "exp": Int64(claims.exp.value.timeIntervalSince1970), "iat": Int64(claims.iat.value.timeIntervalSince1970),
            "token_type": "Bearer",
        ]
        if let scope = claims.scope { answer["scope"] = scope }
        if let audience = claims.aud?.value { answer["aud"] = audience }
        return Self.json(answer)
    }

    private static func json(_ object: [String: Any]) -> Response {
        let bytes = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])).map { Array($0) }
            ?? Array("{}".utf8)
        return Response(
            status: .ok,
            headers: TokenResponses.noStoreHeaders(contentType: "application/json;charset=UTF-8"),
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes))
        )
    }
}
