import Foundation
import Logging
import Primitives

/// One refresh round: the endpoints in order, attempts on each, then a typed error.
///
/// Per endpoint, attempt `n` uses timeout step `n` of the ladder (quick, standard, patient).
/// A timeout is retried at once with the next step; a 5xx, a broken connection or a broken
/// response is retried after a full-jitter backoff; 429 (or 503 with `Retry-After`) waits at
/// least `Retry-After`. A refused connection or an unexplained status moves on to the next
/// endpoint. An RFC 6749 §5.2 error such as `invalid_grant` ends the round at once: another
/// endpoint of the same provider would give the same answer.
///
/// A `refresh_token` request whose answer was lost after it was sent (``AttemptFailure/answerLost``) is
/// retried at once with the next step, without backoff, so that the retry lands inside the reuse interval
/// providers keep for the rotated-away token (Auth0's reuse interval, Okta's grace period,
/// django-oauth-toolkit's `REFRESH_TOKEN_GRACE_PERIOD_SECONDS`); if the retry still gets `invalid_grant`,
/// the round ends with ``TokenRefreshError/Code/rotationLost``.
struct RefreshRound: Sendable {
    var configuration: ProviderConfiguration
    var refreshToken: Secret?
    var transport: any TokenEndpointTransport
    var clock: WallClock
    var random: RandomSource
    var metrics: ProviderMetrics
    var events: TokenEventBus
    var logger: Logger
    /// A request of an earlier round with this refresh token whose answer was lost, if any.
    var lostBefore: LostAnswer? = nil
    /// Told about each `refresh_token` request of this round whose answer was lost.
    var onAnswerLost: @Sendable (LostAnswer) -> Void = { _ in }
    /// Checks each issued token before the round accepts it (RefreshRound+Validation.swift); `nil` for none.
    var validator: TokenValidator? = nil
    /// A refresh token rotated by a response whose access token was then refused: later attempts send it.
    var rotated = RotatedRefreshToken()

    func run() async throws(TokenRefreshError) -> RoundSuccess {
        let provider = self.configuration.name
        let request = try self.requestBody()
        var failures: [EndpointFailure] = []
        var lostAnswer = self.lostBefore
        for (index, endpoint) in self.configuration.tokenEndpoints.enumerated() {
            if index > 0, let previous = failures.last {
                self.emit(.failover, [
                    ("from", .string(previous.endpoint)), ("to", .string(endpoint)),
                    ("reason", .string(previous.last.code)),
                ])
                self.logger.info(
                    "failing over to next token endpoint",
                    metadata: ["provider": "\(provider)", "from": "\(previous.endpoint)", "to": "\(endpoint)"]
                )
            }
            var attempt = 0
            var last: AttemptFailure?
            while attempt < max(1, self.configuration.retry.maxAttempts) {
                if Task.isCancelled { throw TokenRefreshError.cancelled(provider: provider) }
                let step = self.configuration.timeouts.step(forAttempt: attempt)
                attempt += 1
                // The body again when a refused response rotated the refresh token (validation).
                let body = try self.rotated.value == nil ? request : self.requestBody()
                let outcome = await self.attempt(endpoint: endpoint, body: body, step: step, number: attempt)
                let failure: AttemptFailure
                switch outcome {
                case .success(let success):
                    return success
                case .failure(let error):
                    failure = error
                }
                let rotates = self.configuration.grant == .refreshToken
                if rotates, failure.answerLost {
                    let lost = LostAnswer(
                        refreshToken: self.rotated.value ?? self.refreshToken, endpoint: endpoint, failure: failure
                    )
                    // The first lost answer is the one that most likely carried the rotated token.
                    if lostAnswer == nil { lostAnswer = lost }
                    self.onAnswerLost(lost)
                }
                last = failure
                if failure.isFinal {
                    failures.append(EndpointFailure(endpoint: endpoint, attempts: attempt, last: failure))
                    if rotates, failure.code == "invalid_grant", let lostAnswer {
                        throw TokenRefreshError.rotationLost(
                            provider: provider, failures, lost: (lostAnswer.endpoint, lostAnswer.failure)
                        )
                    }
                    throw TokenRefreshError.final(provider: provider, failures)
                }
                guard failure.isRetryableOnSameEndpoint, attempt < self.configuration.retry.maxAttempts else { break }
                let wait: Duration
                if failure.kind == .rateLimited {
                    let retryAfter = failure.retryAfter ?? .zero
                    let backoff = self.configuration.retry.backoff(retry: attempt, random: self.random.unit())
                    wait = max(retryAfter, backoff)
                    if wait > self.configuration.retry.maxRetryAfter {
                        failures.append(EndpointFailure(endpoint: endpoint, attempts: attempt, last: failure))
                        let notBefore = self.clock.now() + wait.nanoseconds
                        throw TokenRefreshError.rateLimited(
                            provider: provider, failures, notBefore: notBefore, waitSeconds: wait.seconds
                        )
                    }
                } else if failure.kind == .timeout || (rotates && failure.answerLost) {
                    // The next step at once: a lost answer's retry must land inside the provider's reuse interval.
                    wait = .zero
                } else {
                    wait = self.configuration.retry.backoff(retry: attempt, random: self.random.unit())
                }
                self.emit(.retry, [
                    ("endpoint", .string(endpoint)), ("attempt", .int(Int64(attempt + 1))),
                    ("reason", .string(failure.code)), ("backoff_ms", .double(Self.milliseconds(wait))),
                ])
                do {
                    try await self.clock.sleep(for: wait)
                } catch {
                    throw TokenRefreshError.cancelled(provider: provider)
                }
            }
            if let last {
                failures.append(EndpointFailure(endpoint: endpoint, attempts: attempt, last: last))
                // Rate limits are usually per client, not per endpoint: do not take the
                // same request to the next endpoint, wait as the provider asked.
                if last.kind == .rateLimited, let retryAfter = last.retryAfter, retryAfter > .zero {
                    throw TokenRefreshError.rateLimited(
                        provider: provider, failures, notBefore: self.clock.now() + retryAfter.nanoseconds,
                        waitSeconds: retryAfter.seconds
                    )
                }
            }
        }
        throw TokenRefreshError.allEndpointsFailed(provider: provider, failures)
    }

    /// Sends one request and classifies what came back.
    private func attempt(endpoint: String, body: TokenEndpointRequest, step: TimeoutStep, number: Int) async
        -> Result<RoundSuccess, AttemptFailure>
    {
        var request = body
        request.url = endpoint
        let sentAt = self.clock.now()
        let result: Result<TokenEndpointResponse, AttemptFailure>
        do {
            result = .success(try await self.transport.send(request, timeout: step))
        } catch {
            result = .failure(error)
        }
        let receivedAt = self.clock.now()
        self.metrics.duration(endpoint: endpoint, nanoseconds: receivedAt - sentAt)
        var classified = result.flatMap { response in
            self.classify(response, endpoint: endpoint, sentAt: sentAt, receivedAt: receivedAt)
        }
        if case .success(let success) = classified {
            classified = await self.validated(success, endpoint: endpoint)
        }
        switch classified {
        case .success:
            self.metrics.attempt(endpoint: endpoint, outcome: "success")
        case .failure(let failure):
            self.metrics.attempt(endpoint: endpoint, outcome: failure.code)
            if failure.kind == .rateLimited {
                self.metrics.rateLimited(endpoint: endpoint)
                self.emit(.rateLimited, [
                    ("endpoint", .string(endpoint)), ("status", .int(Int64(failure.status ?? 429))),
                    ("retry_after_ms", .double(Self.milliseconds(failure.retryAfter ?? .zero))),
                ])
            }
            var fields: [(key: String, value: TokenEvent.Value)] = [
                ("endpoint", .string(endpoint)), ("attempt", .int(Int64(number))),
                ("outcome", .string(failure.code)), ("detail", .string(failure.detail)),
                ("duration_ms", .double(Self.milliseconds(nanoseconds: receivedAt - sentAt))),
                ("timeout_ms", .double(Self.milliseconds(step.total))),
            ]
            if let status = failure.status { fields.append(("status", .int(Int64(status)))) }
            self.emit(.attemptFailed, fields)
            self.logger.debug(
                "token request failed",
                metadata: ["provider": "\(self.configuration.name)", "endpoint": "\(endpoint)", "error": "\(failure)"]
            )
        }
        return classified
    }

    private func classify(_ response: TokenEndpointResponse, endpoint: String, sentAt: Int64, receivedAt: Int64)
        -> Result<RoundSuccess, AttemptFailure>
    {
        let serverDate = response.header("date").flatMap(HTTPDate.parse)
        switch response.status {
        case 200:
            do {
                let parsed = try TokenResponseParser.parseSuccess(
                    body: response.body,
                    contentType: response.header("content-type"),
                    expectedTokenType: self.configuration.expectedTokenType
                )
                return .success(
                    RoundSuccess(
                        response: parsed, endpoint: endpoint, sentAt: sentAt, receivedAt: receivedAt,
                        serverDate: serverDate
                    )
                )
            } catch {
                return .failure(error)
            }
        case 429, 503:
            let retryAfter = response.header("retry-after").flatMap {
                HTTPDate.retryAfter($0, serverNow: serverDate, localNow: Double(receivedAt) / 1e9)
            }
            if response.status == 503 && retryAfter == nil {
                return .failure(Self.serverError(503))
            }
            return .failure(
                AttemptFailure(
                    kind: .rateLimited, code: "rate_limited",
                    detail: "HTTP \(response.status)"
                        + (retryAfter.map { ", Retry-After \(TokenRefreshError.format(seconds: $0.seconds))" } ?? ""),
                    status: response.status, retryAfter: retryAfter
                )
            )
        case 500...599:
            return .failure(Self.serverError(response.status))
        case 400...499:
            if let error = TokenResponseParser.parseError(body: response.body) {
                let description = error.description.map { ": \(self.scrub($0))" } ?? ""
                return .failure(
                    AttemptFailure(
                        kind: .oauthError, code: error.code,
                        detail: "HTTP \(response.status) \(error.code)\(description)", status: response.status
                    )
                )
            }
            return .failure(
                AttemptFailure(
                    kind: .unexpectedStatus, code: "http_\(response.status)",
                    detail: "HTTP \(response.status) without an OAuth error body", status: response.status
                )
            )
        default:
            return .failure(
                AttemptFailure(
                    kind: .unexpectedStatus, code: "http_\(response.status)",
                    detail: "unexpected HTTP \(response.status)", status: response.status
                )
            )
        }
    }

    private static func serverError(_ status: Int) -> AttemptFailure {
        AttemptFailure(kind: .serverError, code: "http_\(status)", detail: "HTTP \(status)", status: status)
    }

    /// Replaces any of our secrets that a provider echoed back with its fingerprint.
    private func scrub(_ text: String) -> String {
        var text = text
        for secret in [self.configuration.clientSecret, self.refreshToken].compactMap({ $0 })
        where !secret.revealed.isEmpty {
            text = text.replacingOccurrences(of: secret.revealed, with: secret.description)
        }
        return text
    }

    /// Builds the form body and headers (RFC 6749 §2.3.1, §4.4.2, §6).
    private func requestBody() throws(TokenRefreshError) -> TokenEndpointRequest {
        var form: [(String, String)] = [("grant_type", self.configuration.grant.rawValue)]
        if self.configuration.grant == .refreshToken {
            guard let refreshToken = self.rotated.value ?? self.refreshToken else {
                throw TokenRefreshError.missingRefreshToken(provider: self.configuration.name)
            }
            form.append(("refresh_token", refreshToken.revealed))
        }
        if !self.configuration.scopes.isEmpty {
            form.append(("scope", self.configuration.scopes.joined(separator: " ")))
        }
        var headers: [(name: String, value: String)] = [
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Accept", "application/json"),
            ("User-Agent", "oauthtop"),
        ]
        let secret = self.configuration.clientSecret?.revealed
        if self.configuration.clientAuthentication == .basic, let secret {
            let pair = FormEncoding.encode(self.configuration.clientID) + ":" + FormEncoding.encode(secret)
            headers.append(("Authorization", "Basic " + Data(pair.utf8).base64EncodedString()))
        } else {
            form.append(("client_id", self.configuration.clientID))
            if let secret { form.append(("client_secret", secret)) }
        }
        let body = FormEncoding.encode(form)
        return TokenEndpointRequest(url: "", headers: headers, body: Array(body.utf8))
    }

    private func emit(_ kind: TokenEvent.Kind, _ fields: [(key: String, value: TokenEvent.Value)]) {
        self.events.emit(
            TokenEvent(kind: kind, timestamp: self.clock.now(), provider: self.configuration.name, fields: fields)
        )
    }

    /// Milliseconds rounded to a tenth, for events.
    static func milliseconds(_ duration: Duration) -> Double {
        self.milliseconds(nanoseconds: duration.nanoseconds)
    }

    static func milliseconds(nanoseconds: Int64) -> Double {
        (Double(nanoseconds) / 1e5).rounded() / 10
    }
}
