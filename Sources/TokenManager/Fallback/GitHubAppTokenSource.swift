import Foundation
import JWTKit
import Primitives

/// Obtains installation tokens of a ``GitHubAppInstallation``: signs the app JWT and exchanges it.
struct GitHubAppTokenSource: Sendable {
    let installation: GitHubAppInstallation
    let environment: FallbackEnvironment

    /// GitHub's REST API version the request is written for.
    static let apiVersion = "2022-11-28"

    /// The app JWT's claims, as GitHub requires them.
    struct Claims: JWTPayload {
        var iss: IssuerClaim
        var iat: IssuedAtClaim
        var exp: ExpirationClaim

        /// Never called: these claims are signed here, and verified by GitHub.
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    /// `iat` 60 s in the past against clock drift, `exp` 10 minutes after `iat` (GitHub refuses an
    /// `exp` more than 10 minutes in the future), in whole seconds.
    static func claims(appID: String, now: Int64) -> Claims {
        let seconds = now >= 0 ? now / 1_000_000_000 : (now + 1) / 1_000_000_000 - 1
        let issuedAt = Double(seconds - 60)
        return Claims(
            iss: IssuerClaim(value: appID),
            iat: IssuedAtClaim(value: Date(timeIntervalSince1970: issuedAt)),
            exp: ExpirationClaim(value: Date(timeIntervalSince1970: issuedAt + 600))
        )
    }

    /// Signs a new app JWT.
    func appJWT() async throws(AttemptFailure) -> String {
        do {
            let keys = JWTKeyCollection()
            let key = try GitHubAppInstallation.signingKey(self.installation.privateKey)
            await keys.add(rsa: key, digestAlgorithm: .sha256)
            return try await keys.sign(Self.claims(appID: self.installation.appID, now: self.environment.clock.now()))
        } catch {
            // Neither jwt-kit's nor the key parser's error is shown: either may quote the key.
            throw AttemptFailure(
                kind: .badResponse, code: "jwt_signing_failed",
                detail: "the app JWT could not be signed with the configured private key"
            )
        }
    }

    /// One exchange: a new app JWT for an installation token.
    func fetch() async -> Result<FetchedToken, AttemptFailure> {
        let jwt: String
        do {
            jwt = try await self.appJWT()
        } catch {
            return .failure(error)
        }
        let request = TokenEndpointRequest(
            url: self.installation.accessTokensURL,
            headers: [
                ("Accept", "application/vnd.github+json"),
                ("Authorization", "Bearer \(jwt)"),
                ("X-GitHub-Api-Version", Self.apiVersion),
                ("User-Agent", "oauthtop"),
            ],
            body: []
        )
        let clock = self.environment.clock
        let response: TokenEndpointResponse
        do {
            response = try await self.environment.transport.send(
                request, timeout: self.environment.provider.timeouts.step(forAttempt: 1)
            )
        } catch {
            return .failure(error)
        }
        let receivedAt = clock.now()
        let parsed: GitHubInstallationToken
        do {
            parsed = try GitHubInstallationTokenParser.parse(response, now: Double(receivedAt) / 1e9)
        } catch {
            var failure = error
            // GitHub does not echo the JWT; should a proxy in between do it, it is not shown either.
            failure.detail = failure.detail.replacingOccurrences(of: jwt, with: "(the app JWT)")
            return .failure(failure)
        }
        // `expires_at` is taken on our clock as it is: a clock far from GitHub's fails the app JWT anyway
        // (401), and the refresh window before expiry absorbs a small difference.
        let expiresAt = parsed.expiresAt
        guard expiresAt > receivedAt else {
            return .failure(
                AttemptFailure(
                    kind: .badResponse, code: "bad_response",
                    detail: "expired_token: GitHub's token expires at "
                        + "\(RFC3339.seconds(unixNanoseconds: parsed.expiresAt)), which is not in the future",
                    status: response.status
                )
            )
        }
        let windows = self.environment.provider.refresh.windows(
            obtainedAt: receivedAt, expiresAt: expiresAt, random: self.environment.random.unit()
        )
        let token = AccessToken(value: parsed.token, tokenType: "Bearer", expiresAt: expiresAt, fallback: .githubApp)
        return .success(FetchedToken(token: token, refreshAt: windows.mandatoryAt))
    }
}
