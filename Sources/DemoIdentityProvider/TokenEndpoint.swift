import Hummingbird
import JWTKit
import Logging
import Primitives

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Answers requests on one endpoint: the scheduled fault first, then RFC 6749 §4.4 and §6.
struct TokenEndpoint: Sendable {
    let provider: DemoIdentityProvider
    let keys: JWTKeyCollection
    let endpoint: String
    let logger: Logger

    private var configuration: DemoIdentityProviderConfiguration { self.provider.configuration }

    /// Answers one request.
    ///
    /// - Parameter dropConnection: Closes the request's connection at once (the `lost_answer` fault).
    func respond(to request: Request, dropConnection: @Sendable () -> Void = {}) async throws -> Response {
        guard request.uri.path == self.configuration.path else {
            return TokenResponses.raw("not found\n", status: .notFound, contentType: "text/plain;charset=UTF-8")
        }
        let arrival = self.provider.elapsed()
        let fault = self.provider.state.withLock { state in
            state.recordArrival(endpoint: self.endpoint)
            return state.decideFault(endpoint: self.endpoint, at: arrival)
        }
        var request = request
        let body: ByteBuffer?
        do {
            body = try await request.collectBody(upTo: self.configuration.maximumBodySize)
        } catch {
            body = nil
        }
        try await self.provider.clock.sleep(for: self.configuration.baseLatency)

        var metadata: Logger.Metadata = ["endpoint": "\(self.endpoint)", "method": "\(request.method)"]
        let reply: TokenReply
        switch fault?.kind {
        case .slow(let delay):
            self.provider.state.withLock { $0.recordSlowed(endpoint: self.endpoint) }
            metadata["fault"] = "slow"
            try await self.provider.clock.sleep(for: delay)
            reply = await self.process(request, body: body, metadata: &metadata)
        case .httpError(let status):
            metadata["fault"] = "error"
            let status = HTTPResponse.Status(code: (100...599).contains(status) ? status : 500)
            let response = TokenResponses.raw(
                "injected fault: HTTP \(status.code) \(status.reasonPhrase)\n",
                status: status,
                contentType: "text/plain;charset=UTF-8"
            )
            reply = TokenReply(response: response, outcome: .errorStatus, code: "fault_error")
        case .rateLimit(let retryAfter, let status, let httpDate):
            metadata["fault"] = "rate_limit"
            reply = self.rateLimited(retryAfter: retryAfter, status: status, httpDate: httpDate)
        case .invalidGrant:
            metadata["fault"] = "invalid_grant"
            reply = self.injectedInvalidGrant(body: body, metadata: &metadata)
        case .outage:
            // The listener is about to close (or just reopened late): answer like a draining server.
            metadata["fault"] = "outage"
            var headers = HTTPFields()
            headers[.connection] = "close"
            let response = TokenResponses.raw(
                "endpoint unavailable (outage)\n",
                status: .serviceUnavailable,
                contentType: "text/plain;charset=UTF-8",
                headers: headers
            )
            reply = TokenReply(response: response, outcome: .errorStatus, code: "fault_outage")
        case .badResponse(let kind):
            metadata["fault"] = "bad_response"
            reply = await self.badResponse(kind)
        case .lostAnswer(let delay):
            metadata["fault"] = "lost_answer"
            reply = await self.process(request, body: body, metadata: &metadata)
            if let delay {
                try await self.provider.clock.sleep(for: delay)
            } else {
                // Processed, then the connection goes without a byte of answer; the response written
                // below fails on the closed channel, which Hummingbird ignores.
                dropConnection()
            }
        case .badToken(let kind):
            metadata["fault"] = "bad_token_\(kind.rawValue)"
            // Processed normally (authentication, rotation); only the access token is made bad.
            reply = await BadAccessTokens.$current.withValue(kind) {
                await self.process(request, body: body, metadata: &metadata)
            }
        case .rotateKeys:
            metadata["fault"] = "rotate_keys"
            _ = try? await self.provider.rotateSigningKey()
            reply = await self.process(request, body: body, metadata: &metadata)
        case .inactiveToken, .revokeToken, .apiRateLimit, .apiError:
            // Never chosen for a token request (decideFault keeps introspection and API faults apart).
            reply = await self.process(request, body: body, metadata: &metadata)
        case nil:
            reply = await self.process(request, body: body, metadata: &metadata)
        }
        self.provider.state.withLock { $0.record(reply.outcome, endpoint: self.endpoint) }
        metadata["status"] = "\(reply.response.status.code)"
        metadata["outcome"] = "\(reply.code)"
        self.logger.debug("token request", metadata: metadata)
        return reply.response
    }

    // MARK: Faults

    private func rateLimited(retryAfter: Duration, status: Int, httpDate: Bool) -> TokenReply {
        let seconds = max(0, retryAfter.wholeSecondsRoundedUp)
        var headers = HTTPFields()
        if httpDate {
            let now = Int64(Date().timeIntervalSince1970.rounded(.down))
            headers[.retryAfter] = HTTPDate.format(secondsSince1970: now + seconds)
        } else {
            headers[.retryAfter] = "\(seconds)"
        }
        let code = (400...599).contains(status) ? status : 429
        let body = OAuthErrorBody(
            error: "temporarily_unavailable",
            error_description: "rate limited (injected fault); retry after \(seconds) seconds"
        )
        let response = TokenResponses.json(body, status: HTTPResponse.Status(code: code), headers: headers)
        return TokenReply(response: response, outcome: .rateLimited, code: "fault_rate_limit")
    }

    /// Answers `invalid_grant` and revokes the refresh token presented, if any: it is gone for good.
    private func injectedInvalidGrant(body: ByteBuffer?, metadata: inout Logger.Metadata) -> TokenReply {
        if let body, let form = FormParameters.parse(body.readableBytesView),
            form["grant_type"] == "refresh_token", let presented = form["refresh_token"]
        {
            metadata["refresh_token"] = "sha256:\(Secret.fingerprint(of: presented))"
            _ = self.provider.state.withLock { $0.refreshTokens.removeValue(forKey: presented) }
        }
        return TokenResponses.error("invalid_grant", "the refresh token was revoked (injected fault)")
    }

    private func badResponse(_ kind: BadTokenResponse) async -> TokenReply {
        let expiresIn = self.expiresIn
        // A real token (not counted as issued) where only another field is wrong.
        let token = (try? await self.signAccessToken(clientID: "bad-response", scope: nil)) ?? "demo_at_unsigned"
        let (contentType, text) = kind.body(accessToken: token, expiresIn: expiresIn)
        let response = TokenResponses.raw(text, status: .ok, contentType: contentType)
        return TokenReply(response: response, outcome: .badResponse, code: "fault_bad_response_\(kind.rawValue)")
    }

    // MARK: RFC 6749

    private func process(_ request: Request, body: ByteBuffer?, metadata: inout Logger.Metadata) async -> TokenReply {
        guard request.method == .post else {
            var headers = HTTPFields()
            headers[.allow] = "POST"
            return TokenResponses.error(
                "invalid_request",
                "the token endpoint accepts only POST, not \(request.method)",
                status: .methodNotAllowed,
                headers: headers
            )
        }
        guard let body else {
            return TokenResponses.error(
                "invalid_request",
                "the request body is larger than \(self.configuration.maximumBodySize) bytes",
                status: .contentTooLarge
            )
        }
        let mediaType = request.headers[.contentType]?.split(separator: ";").first
            .map { trimmedSpaces($0).lowercased() }
        guard mediaType == "application/x-www-form-urlencoded" else {
            return TokenResponses.error(
                "invalid_request",
                "the body must be application/x-www-form-urlencoded, not \(mediaType ?? "unspecified")"
            )
        }
        guard let form = FormParameters.parse(body.readableBytesView) else {
            return TokenResponses.error("invalid_request", "the body is not valid form-urlencoded UTF-8")
        }
        if let repeated = form.repeated {
            return TokenResponses.error("invalid_request", "the parameter '\(repeated)' appears more than once")
        }
        let clientID: String
        switch self.authenticate(request.headers, form) {
        case .success(let id): clientID = id
        case .failure(let reply): return reply.reply
        }
        metadata["client_id"] = "\(clientID)"
        guard let grantType = form["grant_type"] else {
            return TokenResponses.error("invalid_request", "the grant_type parameter is missing")
        }
        metadata["grant_type"] = "\(grantType.prefix(40))"
        switch grantType {
        case "client_credentials":
            return await self.issue(clientID: clientID, scope: form["scope"], refreshToken: nil)
        case "refresh_token":
            return await self.refresh(clientID: clientID, form: form, metadata: &metadata)
        default:
            return TokenResponses.error(
                "unsupported_grant_type",
                "grant_type '\(grantType.prefix(40))' is not supported; use client_credentials or refresh_token"
            )
        }
    }

    struct Rejection: Error {
        var reply: TokenReply
    }

    /// RFC 6749 §2.3.1: HTTP Basic, or `client_id`/`client_secret` in the body, never both.
    func authenticate(_ headers: HTTPFields, _ form: FormParameters) -> Result<String, Rejection> {
        let bodyID = form["client_id"]
        let bodySecret = form["client_secret"]
        if let authorization = headers[.authorization] {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "basic" else {
                return .failure(Rejection(reply: TokenResponses.invalidClient(
                    "only HTTP Basic client authentication is supported",
                    challenge: true
                )))
            }
            guard let decoded = Data(base64Encoded: trimmedSpaces(parts[1])),
                let colon = decoded.firstIndex(of: UInt8(ascii: ":")),
                let id = formDecode(decoded[decoded.startIndex..<colon]),
                let secret = formDecode(decoded[decoded.index(after: colon)...])
            else {
                return .failure(Rejection(reply: TokenResponses.invalidClient(
                    "the Basic credentials are not base64 of form-urlencoded id:secret",
                    challenge: true
                )))
            }
            if bodySecret != nil || (bodyID.map { $0 != id } ?? false) {
                return .failure(Rejection(reply: TokenResponses.error(
                    "invalid_request",
                    "the client authenticated both by HTTP Basic and in the body; use one method"
                )))
            }
            return self.verify(id: id, secret: secret, challenge: true)
        }
        guard let bodyID else {
            return .failure(Rejection(reply: TokenResponses.invalidClient(
                "no client authentication: use HTTP Basic or client_id and client_secret",
                challenge: true
            )))
        }
        return self.verify(id: bodyID, secret: bodySecret ?? "", challenge: false)
    }

    private func verify(id: String, secret: String, challenge: Bool) -> Result<String, Rejection> {
        // Compare against every client's secret in the same way so timing says nothing about which part failed.
        let known = self.configuration.clients.first { $0.id == id }
        let matches = constantTimeEquals(known?.secret ?? "\u{0}unknown-client", secret)
        guard known != nil, matches else {
            return .failure(Rejection(reply: TokenResponses.invalidClient(
                "client authentication failed for client '\(id.prefix(80))'",
                challenge: challenge
            )))
        }
        return .success(id)
    }

    /// RFC 6749 §6: the token must exist, belong to this client, and cover the requested scope.
    private func refresh(clientID: String, form: FormParameters, metadata: inout Logger.Metadata) async -> TokenReply {
        guard let presented = form["refresh_token"], !presented.isEmpty else {
            return TokenResponses.error("invalid_request", "the refresh_token parameter is missing")
        }
        metadata["refresh_token"] = "sha256:\(Secret.fingerprint(of: presented))"
        let requestedScope = form["scope"]
        let rotate = self.configuration.rotateRefreshTokens
        let now = self.provider.elapsed()
        enum Decision {
            case rejected(TokenReply)
            case granted(scope: String?, newRefreshToken: String?)
        }
        let decision: Decision = self.provider.state.withLock { state in
            let reuseInterval = state.refreshTokenReuseInterval
            guard let grant = state.refreshTokens[presented], grant.clientID == clientID,
                grant.retiredAt.map({ now - $0 <= reuseInterval }) ?? true
            else {
                return .rejected(TokenResponses.error(
                    "invalid_grant",
                    "the refresh token is unknown, revoked, rotated away or issued to another client"
                ))
            }
            if let requestedScope, let granted = grant.scope {
                let allowed = Set(granted.split(separator: " "))
                if !Set(requestedScope.split(separator: " ")).isSubset(of: allowed) {
                    return .rejected(TokenResponses.error(
                        "invalid_scope",
                        "the requested scope exceeds the scope originally granted"
                    ))
                }
            }
            let scope = requestedScope ?? grant.scope
            guard rotate else { return .granted(scope: scope, newRefreshToken: nil) }
            if reuseInterval > .zero {
                // Like Auth0's "reuse interval" or Okta's grace period: a client whose response was
                // lost (a timeout) can still use the token it sent, for a short while, and gets a new
                // refresh token each time (as Auth0, Okta and Clerk answer; django-oauth-toolkit answers
                // the pair it issued first instead).
                if state.refreshTokens[presented]?.retiredAt == nil { state.refreshTokens[presented]?.retiredAt = now }
            } else {
                state.refreshTokens.removeValue(forKey: presented)
            }
            // The new token keeps the original grant's scope so a later refresh may ask for it again.
            let next = state.newRefreshToken(clientID: clientID, scope: grant.scope)
            return .granted(scope: scope, newRefreshToken: next)
        }
        switch decision {
        case .rejected(let reply):
            return reply
        case .granted(let scope, let newRefreshToken):
            if let newRefreshToken {
                metadata["new_refresh_token"] = "sha256:\(Secret.fingerprint(of: newRefreshToken))"
            }
            return await self.issue(clientID: clientID, scope: scope, refreshToken: newRefreshToken)
        }
    }

    private var expiresIn: Int64 { max(1, self.configuration.tokenLifetime.wholeSecondsRoundedUp) }

    private func signAccessToken(clientID: String, scope: String?) async throws -> String {
        let claims = DemoAccessTokenClaims(
            issuer: self.configuration.issuer,
            subject: clientID,
            issuedAt: Date(),
            lifetime: self.configuration.tokenLifetime,
            id: randomToken(bytes: 16),
            scope: scope,
            audience: self.configuration.audience
        )
        let keyID = self.provider.signingKeyID
        if let bad = BadAccessTokens.current {
            return try await BadAccessTokens.make(bad, claims: claims, keys: self.keys, keyID: keyID)
        }
        return try await self.keys.sign(claims, kid: JWKIdentifier(string: keyID))
    }

    private func issue(clientID: String, scope: String?, refreshToken: String?) async -> TokenReply {
        let accessToken: String
        do {
            accessToken = try await self.signAccessToken(clientID: clientID, scope: scope)
        } catch {
            self.logger.info("signing an access token failed", metadata: ["error": "\(type(of: error))"])
            return TokenResponses.error(
                "server_error",
                "the access token could not be signed",
                status: .internalServerError
            )
        }
        self.provider.state.withLock { state in
            state.accessTokensIssued += 1
            state.issuedTokens?.append(accessToken)
        }
        let body = TokenResponseBody(
            access_token: accessToken,
            token_type: "Bearer",
            expires_in: self.expiresIn,
            refresh_token: refreshToken,
            scope: scope
        )
        return TokenReply(response: TokenResponses.json(body, status: .ok), outcome: .issued, code: "issued")
    }
}

/// The text without leading and trailing spaces and tabs (HTTP's optional whitespace).
func trimmedSpaces(_ text: Substring) -> String {
    let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
    guard let first = text.firstIndex(where: { !isSpace($0) }),
        let last = text.lastIndex(where: { !isSpace($0) })
    else {
        return ""
    }
    return String(text[first...last])
}
