import Hummingbird
import JWTKit
import Logging
import Primitives

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The demo's protected API (`/api/v1/...`, ``DemoAPIConfiguration``), served on every endpoint's listener:
/// what a job calls with the provider's tokens, directly or through oauthtop's API proxy.
///
/// Each request passes, in order:
/// 1. the token check of the protected resource (``AccessTokenVerifier``): none or a bad one is 401 with a
///    Bearer challenge (RFC 6750 §3);
/// 2. the fault schedule's API faults (`revoke_token`, `api_rate_limit`, `api_error`, and an outage's
///    draining 503);
/// 3. the quota (``DemoAPIQuota``): one unit per request, 429 with `Retry-After` when none is left;
/// 4. the route (an item, a completion, a stream).
///
/// Every answer carries the quota's rate-limit fields (the current reading when the request used nothing),
/// and is counted in ``DemoStatistics/api`` and the request log (``DemoIdentityProvider/apiRequests()``).
struct DemoAPI: Sendable {
    let provider: DemoIdentityProvider
    let keys: JWTKeyCollection
    let endpoint: String
    let logger: Logger

    var configuration: DemoAPIConfiguration { self.provider.configuration.api }

    /// Whether `path` is one of the API's.
    static func serves(_ path: String, prefix: String) -> Bool {
        path == prefix || path.hasPrefix(prefix + "/")
    }

    /// Answers one API request.
    func respond(to request: Request) async -> Response {
        let arrival = self.provider.elapsed()
        self.provider.state.withLock { $0.api.statistics.requests += 1 }
        var answer = await self.answer(request, arrival: arrival)
        let answered = self.provider.elapsed()
        let quota = self.configuration.quota
        let reading = answer.quota
            ?? quota.map { quota in self.provider.state.withLock { $0.api.quotaWindow.peek(quota, at: answered) } }
        if let reading {
            answer.response.headers.append(contentsOf: reading.headers(nowSince1970: Self.nowSince1970()))
        }
        let record = DemoAPIRequest(
            arrival: arrival, answered: answered, endpoint: self.endpoint, method: "\(request.method)",
            path: request.uri.path, status: answer.response.status.code, outcome: answer.outcome,
            retryAfterEnds: answer.retryAfter.map { answered + $0 }, model: answer.model, tokenID: answer.tokenID
        )
        let capacity = self.configuration.requestLogCapacity
        self.provider.state.withLock { $0.api.record(record, capacity: capacity) }
        self.logger.debug(
            "api request",
            metadata: [
                "method": "\(request.method)", "path": "\(request.uri.path.prefix(200))",
                "status": "\(answer.response.status.code)", "outcome": "\(answer.outcome)",
                "jti": "\(answer.tokenID ?? "none")",
            ]
        )
        return answer.response
    }

    private func answer(_ request: Request, arrival: Duration) async -> APIAnswer {
        let verifier = AccessTokenVerifier(provider: self.provider, keys: self.keys)
        let claims: DemoAccessTokenClaims
        switch await verifier.verify(authorization: request.headers[.authorization]) {
        case .success(let accepted): claims = accepted.claims
        case .failure(let rejection): return self.unauthorized(rejection, outcome: .unauthorized, tokenID: nil)
        }
        let tokenID = claims.jti.value
        let fault = self.provider.state.withLock { $0.decideFault(endpoint: self.endpoint, at: arrival, request: .api) }
        switch fault?.kind {
        case .revokeToken:
            self.provider.state.withLock { state in
                state.revokedTokenIDs.insert(tokenID)
                state.api.statistics.revokedTokens += 1
            }
            self.logger.info("access token revoked (injected fault)", metadata: ["jti": "\(tokenID)"])
            let rejection = AccessTokenVerifier.Rejection(error: "invalid_token", description: "the token was revoked")
            return self.unauthorized(rejection, outcome: .revoked, tokenID: tokenID)
        case .apiRateLimit(let retryAfter, let status, let httpDate):
            return self.rateLimited(retryAfter: retryAfter, status: status, httpDate: httpDate, tokenID: tokenID)
        case .apiError(let status):
            let status = HTTPResponse.Status(code: (400...599).contains(status) ? status : 500)
            let response = APIResponses.error(
                status, "injected_fault", "injected fault: HTTP \(status.code) \(status.reasonPhrase)"
            )
            return APIAnswer(response: response, outcome: .faultError, tokenID: tokenID)
        case .outage:
            // The listener is about to close: answer like a draining server.
            var headers = HTTPFields()
            headers[.connection] = "close"
            let response = APIResponses.error(
                .serviceUnavailable, "unavailable", "the API is unavailable (outage)", headers: headers
            )
            return APIAnswer(response: response, outcome: .outage, tokenID: tokenID)
        default:
            break
        }
        var reading: QuotaReading?
        if let quota = self.configuration.quota {
            let taken = self.provider.state.withLock { $0.api.quotaWindow.take(quota, at: arrival) }
            guard taken.allowed else {
                return self.quotaExceeded(taken, tokenID: tokenID)
            }
            reading = taken
        }
        var answer = await self.route(request, claims: claims)
        answer.quota = reading
        answer.tokenID = tokenID
        return answer
    }

    // MARK: Refusals

    private func unauthorized(
        _ rejection: AccessTokenVerifier.Rejection, outcome: DemoAPIOutcome, tokenID: String?
    ) -> APIAnswer {
        var headers = HTTPFields()
        headers[.wwwAuthenticate] = AccessTokenVerifier.challenge(rejection)
        let response = APIResponses.error(
            .unauthorized, rejection.error ?? "unauthorized", rejection.description, headers: headers
        )
        return APIAnswer(response: response, outcome: outcome, tokenID: tokenID)
    }

    private func rateLimited(retryAfter: Duration, status: Int, httpDate: Bool, tokenID: String) -> APIAnswer {
        let seconds = max(0, retryAfter.wholeSecondsRoundedUp)
        var headers = HTTPFields()
        headers[.retryAfter] = httpDate
            ? HTTPDate.format(secondsSince1970: Self.nowSince1970() + seconds) : "\(seconds)"
        let code = status == 503 ? HTTPResponse.Status.serviceUnavailable : .tooManyRequests
        let response = APIResponses.error(
            code, "rate_limited", "rate limited (injected fault); retry after \(seconds) seconds", headers: headers
        )
        return APIAnswer(response: response, outcome: .faultRateLimit, retryAfter: .seconds(seconds), tokenID: tokenID)
    }

    private func quotaExceeded(_ reading: QuotaReading, tokenID: String) -> APIAnswer {
        let seconds = reading.resetSeconds
        var headers = HTTPFields()
        headers[.retryAfter] = "\(seconds)"
        let quota = reading.quota
        let response = APIResponses.error(
            .tooManyRequests, "rate_limited",
            "the quota of \(quota.limit) requests per \(quota.window.wholeSecondsRoundedUp)s is used up; "
                + "retry after \(seconds) seconds",
            headers: headers
        )
        return APIAnswer(
            response: response, outcome: .quotaExceeded, retryAfter: .seconds(seconds), quota: reading,
            tokenID: tokenID
        )
    }

    /// The wall-clock time in Unix seconds, rounded up: a reset time or an HTTP-date `Retry-After` made from it
    /// is never earlier than the wait it stands for.
    static func nowSince1970() -> Int64 {
        Int64(Date().timeIntervalSince1970.rounded(.up))
    }
}
