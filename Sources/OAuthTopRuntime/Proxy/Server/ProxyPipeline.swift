import Dashboard
import Foundation
import HTTPTypes
import Logging
import NIOCore
import NIOHTTP1
import OAuthTopConfig
import Primitives
import Synchronization
import TokenManager

/// One proxy's request pipeline, in order:
/// 1. admission (the Unix peer's uid, or the TCP listener's bearer secret);
/// 2. the request guard (``ProxyRequestGuard``: no absolute-form, `CONNECT`, `..`);
/// 3. hooks: a local answer (quota: cache, shedding), the first seam of ``ProxyHooks``;
/// 4. the body read (kept when replayable, else streamed), the token, the rate-limit block;
/// 5. forwarding; an auth error refreshes through the manager (single-flight) and replays once; a 429/503
///    with `Retry-After` blocks the upstream and the request is retried once after it (rewritten first with
///    `on_rate_limit`);
/// 6. hooks: the response head observed, the second seam; the body streamed to the client.
final class ProxyPipeline: Sendable {
    enum Admission: Sendable {
        case unix(PeerAccessPolicy)
        case tcp(BearerSecret)
    }

    let settings: ProxySettings
    let pool: UpstreamPool
    let manager: OAuthTokenManager
    let provider: ProviderID
    let block = UpstreamBlock()
    /// The last token attached and its header value (``tokenField(_:)``).
    private let lastTokenField = Mutex<(token: String, field: String?)?>(nil)
    let metrics: ProxyMetrics
    let events: ProxyEvents
    let hooks: any ProxyHooks
    let clock: WallClock
    let logger: Logger
    /// What the wire path writes of every upstream request, made once (``ProxyPipeline/WireConstants``).
    let wire: WireConstants
    /// The response fields the hooks read (``ProxyHooks/observedResponseFields``), asked once; `nil`: all.
    let observedResponseFields: WireFieldMatcher?

    init(
        settings: ProxySettings, pool: UpstreamPool, manager: OAuthTokenManager, provider: ProviderID,
        metrics: ProxyMetrics, hooks: any ProxyHooks, clock: WallClock, logger: Logger
    ) {
        self.settings = settings
        self.pool = pool
        self.manager = manager
        self.provider = provider
        self.metrics = metrics
        self.events = ProxyEvents(
            proxy: settings.name, provider: settings.provider, publish: { [manager] in manager.publish($0) }, clock: clock
        )
        self.hooks = hooks
        self.clock = clock
        self.logger = logger
        self.wire = WireConstants(settings: settings, endpoint: pool.endpoint)
        self.observedResponseFields = hooks.observedResponseFields.map(WireFieldMatcher.init)
    }

    /// Answers one request, counting the answer's status class.
    func respond(
        to request: HTTPRequestHead, body: ProxyInboundBody, channel: any Channel, admission: Admission
    ) async -> ProxyReply {
        let reply: ProxyReply
        do {
            reply = try await self.handle(request, body: body, channel: channel, admission: admission)
        } catch {
            reply = .local(self.failure(error))
        }
        self.metrics.response(status: reply.status)
        return reply
    }

    private func handle(
        _ request: HTTPRequestHead, body requestBody: ProxyInboundBody, channel: any Channel, admission: Admission
    ) async throws -> ProxyReply {
        if let refusal = await self.admit(request, channel: channel, admission: admission) { return .local(refusal) }
        var exchange: Exchange
        switch self.prepare(request, eventLoop: channel.eventLoop) {
        case .answer(let answer): return .local(answer)
        case .forward(let prepared): exchange = prepared
        }
        do {
            exchange.body = try await ProxyRequestBody.read(
                requestBody, contentLength: exchange.contentLength, keepUpTo: self.settings.authErrors.replayBodyLimit,
                maxBody: self.settings.maxRequestBody
            )
        } catch is ProxyRequestBody.TooLarge {
            return .local(self.tooLarge())
        }
        return try await self.forward(exchange)
    }

    /// What the steps before the body decide: an answer of the proxy's own, or the request to forward (its body
    /// still to be read, an empty one until then).
    enum Preparation {
        case answer(ProxyLocalAnswer)
        case forward(Exchange)
    }

    /// The steps between admission and the body, which need no waiting: the request guard, the body's declared
    /// size, the forwarded fields, the hooks' local answer (quota: a cached answer, shedding) and criticality.
    /// Both ways a request is served take them here (the async pipeline, and the event-loop fast path).
    func prepare(_ request: HTTPRequestHead, eventLoop: any EventLoop) -> Preparation {
        let method = request.method.rawValue
        let target: ProxyRequestGuard.Target
        switch ProxyRequestGuard.check(method: method, target: request.uri) {
        case .success(let checked):
            target = checked
        case .failure(let refusal):
            var fields = HTTPFields()
            if refusal.status == 405 { fields[.allow] = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS" }
            self.logger.info(
                "proxy request refused", metadata: ["proxy": "\(self.settings.name)", "why": "\(refusal.description)"]
            )
            return .answer(self.answer(refusal.status, refusal.error, refusal.description, fields: fields))
        }
        let contentLength = request.headers.first(name: "Content-Length").flatMap { Int($0) }
        if let contentLength, contentLength > self.settings.maxRequestBody {
            return .answer(self.tooLarge())
        }
        let forwarded = ProxyHeaders.upstreamRequestFields(request.headers, tokenHeader: self.settings.header)
        return self.prepare(
            method: method, target: target, forwarded: .headers(forwarded), contentLength: contentLength,
            eventLoop: eventLoop
        )
    }

    /// The steps after the request guard, for both parsers (NIO's, and the wire path's: ``ProxyWireHandler``): the
    /// hooks' local answer, on the fields as they go up (`forwarded`, with the critical header, which goes no further).
    func prepare(
        method: String, target: ProxyRequestGuard.Target, forwarded: Exchange.Fields, contentLength: Int?,
        eventLoop: any EventLoop
    ) -> Preparation {
        let summary: ProxyRequestSummary
        let fields: Exchange.Fields
        let httpMethod = HTTPRequest.Method(method) ?? .get
        switch forwarded {
        case .headers(var headers):
            summary = ProxyRequestSummary(
                proxy: self.settings.name, method: httpMethod, path: target.path, query: target.query,
                source: .made(HTTPFields(headers))
            )
            headers.remove(name: self.settings.quota?.criticalHeader ?? ProxySettings.Quota.defaultCriticalHeader)
            fields = .headers(headers)
        case .wire(let wire):
            summary = ProxyRequestSummary(
                proxy: self.settings.name, method: httpMethod, path: target.path, query: target.query, source: .wire(wire)
            )
            fields = .wire(wire)
        }
        if let local = self.hooks.answerLocally(summary) { return .answer(local) }
        return .forward(
            Exchange(
                method: method, target: target, source: fields, body: .kept(ByteBuffer()), contentLength: contentLength,
                summary: summary, eventLoop: eventLoop
            )
        )
    }

    /// What one request needs on its way.
    struct Exchange: Sendable {
        var method: String
        var target: ProxyRequestGuard.Target
        /// The client's fields as they go up: NIO's headers, or (read by the wire path) made from the bytes when a
        /// request takes the async steps.
        enum Fields: Sendable {
            case headers(HTTPHeaders)
            case wire(WireRequestFields)
        }

        var source: Fields
        var body: ProxyRequestBody
        /// The client's declared `Content-Length`, if any.
        var contentLength: Int?
        var summary: ProxyRequestSummary
        /// The loop of the client's connection: the upstream connection is leased there when one is idle.
        var eventLoop: any EventLoop

        /// The client's fields as they go up (``ProxyHeaders``), without the token header, the critical header and
        /// `Host`.
        var fields: HTTPHeaders {
            switch self.source {
            case .headers(let headers): headers
            case .wire(let wire): wire.upstreamHeaders
            }
        }

        var keptBody: ByteBuffer? {
            if case .kept(let bytes) = self.body { return bytes }
            return nil
        }
    }

    /// Whether the hooks call the request critical: it waits out a rate-limit block instead of being refused. (Asked
    /// only when the upstream is blocked.)
    private func isCritical(_ exchange: Exchange) -> Bool {
        self.hooks.isCritical(exchange.summary)
    }

    // MARK: Admission

    private func admit(_ request: HTTPRequestHead, channel: any Channel, admission: Admission) async -> ProxyLocalAnswer? {
        switch admission {
        case .unix(let policy):
            let peer = await SocketPeer.unix(of: channel)
            guard let reason = policy.check(peer) else { return nil }
            return self.answer(403, "proxy_forbidden", reason)
        case .tcp(let secret):
            let given = request.headers["Authorization"] + request.headers["Proxy-Authorization"]
            if given.contains(where: { secret.accepts(authorization: $0) }) { return nil }
            var fields = HTTPFields()
            fields[.wwwAuthenticate] = "Bearer realm=\"oauthtop-proxy\""
            return self.answer(
                401, "proxy_unauthorized",
                "this proxy listener requires its local bearer secret (Authorization: Bearer SECRET, from its secret file)",
                fields: fields
            )
        }
    }

    // MARK: Forwarding

    func forward(_ exchange: Exchange) async throws -> ProxyReply {
        let token: AccessToken
        do {
            token = try await self.manager.token(for: self.provider)
        } catch {
            return .local(self.tokenUnavailable(error))
        }
        if let rejection = try await self.passBlock(critical: self.isCritical(exchange)) { return .local(rejection) }
        let response = try await self.send(exchange, body: exchange.body, token: token)
        return try await self.settle(exchange, response: response, token: token)
    }

    /// Whether the upstream's first answer needs more than passing on: an auth error (refresh and replay) or a rate
    /// limit with `Retry-After` (a block, and a retry).
    func needsSettling(_ response: UpstreamResponse) -> Bool {
        response.isAuthError(self.settings.authErrors)
            || (self.settings.rateLimit.statuses.contains(response.status) && response.headers.contains(name: "Retry-After"))
    }

    /// The answer for the upstream's first response to `exchange`, sent with `token`: an auth error is refreshed
    /// and replayed once, a rate limit blocks the upstream and is retried once after the block, and the hooks
    /// observe the final response.
    func settle(_ exchange: Exchange, response firstResponse: UpstreamResponse, token firstToken: AccessToken) async throws
        -> ProxyReply
    {
        var response = firstResponse
        var token = firstToken

        // Auth error: one refresh (single-flight in the manager) and one replay.
        if response.isAuthError(self.settings.authErrors) {
            let firstStatus = response.status
            if let kept = exchange.keptBody {
                self.manager.reportRejected(token, for: self.provider)
                do {
                    token = try await self.manager.token(for: self.provider)
                    await response.discard()
                    if let rejection = try await self.passBlock(critical: self.isCritical(exchange)) {
                        return .local(rejection)
                    }
                    response = try await self.send(exchange, body: .kept(kept), token: token)
                    let again = response.isAuthError(self.settings.authErrors)
                    self.replayed(exchange, status: firstStatus, outcome: again ? .failedAgain : .replayed)
                } catch let error as TokenRefreshError {
                    self.logger.info(
                        "proxy: no new token after an auth error",
                        metadata: ["proxy": "\(self.settings.name)", "error": "\(error.reason)"]
                    )
                    self.replayed(exchange, status: firstStatus, outcome: .refreshFailed)
                }
            } else {
                self.replayed(exchange, status: firstStatus, outcome: .notReplayable)
            }
        }

        // Rate limit: block the upstream; retry once after the block when the body was kept.
        if let until = self.noteRateLimit(response), var kept = exchange.keptBody {
            let remaining = Duration.nanoseconds(until - self.clock.now())
            if remaining <= self.settings.rateLimit.maxWait {
                // A request without a body (a GET) has nothing to rewrite, and says nothing about it.
                if let rule = self.settings.onRateLimit, kept.readableBytes > 0 {
                    let outcome = JSONBodyRewrite.apply(rule, to: Array(kept.readableBytesView))
                    if case .rewritten(let bytes) = outcome {
                        kept = ByteBuffer(bytes: bytes)
                        self.metrics.rewriteCounter.increment()
                    }
                    self.events.rewrite(rule, result: outcome.code)
                }
                await response.discard()
                try await self.waitOutBlock()
                response = try await self.send(exchange, body: .kept(kept), token: token)
                _ = self.noteRateLimit(response)
            }
        }

        return self.observed(exchange, response)
    }

    /// The final response as the client's answer, seen by the hooks.
    func observed(_ exchange: Exchange, _ response: UpstreamResponse) -> ProxyReply {
        if self.hooks.isPassive { return response.reply(tee: nil) }
        let tee = self.hooks.observe(
            exchange.summary, status: HTTPResponse.Status(code: response.status), fields: response.fields
        )
        return response.reply(tee: tee)
    }

    private func replayed(_ exchange: Exchange, status: Int, outcome: ProxyMetrics.ReplayOutcome) {
        self.metrics.replay(outcome)
        self.events.replay(method: exchange.method, path: exchange.target.path, status: status, outcome: outcome)
    }

    /// Sends the request to the upstream with `token`. A kept body is sent again on a new connection when a
    /// pooled one turns out to have been closed by the upstream before any answer (its keep-alive ended).
    private func send(_ exchange: Exchange, body: ProxyRequestBody, token: AccessToken) async throws -> UpstreamResponse {
        guard let tokenField = self.tokenField(token) else { throw UnusableToken() }
        let head = self.upstreamHead(exchange, body: body, tokenField: tokenField)
        let started = ContinuousClock.now
        var lease = try await self.pool.lease(on: exchange.eventLoop)
        let response: UpstreamExchangeHandler.Head
        do {
            response = try await lease.connection.exchange(head: head, body: body, pool: self.pool)
        } catch UpstreamError.closed(beforeResponse: true) where lease.reused {
            guard case .kept = body else { throw UpstreamError.closed(beforeResponse: true) }
            lease = try await self.pool.lease(on: exchange.eventLoop, fresh: true)
            response = try await lease.connection.exchange(head: head, body: body, pool: self.pool)
        }
        self.metrics.upstreamTimer.recordNanoseconds((ContinuousClock.now - started).nanoseconds)
        return UpstreamResponse(response)
    }

    /// The token header's value for `token` (`Bearer TOKEN`), or nil when the token cannot be sent as a field value
    /// (``ProxyHeaders/isSafeFieldValue(_:)``). A token changes once per refresh: the check and the value are made
    /// once for it and kept until the next one.
    func tokenField(_ token: AccessToken) -> String? {
        let raw = token.value.revealed
        if let last = self.lastTokenField.withLock({ $0 }), last.token == raw { return last.field }
        let field = ProxyHeaders.isSafeFieldValue(raw) ? ProxyHeaders.tokenValue(raw, header: self.settings.header) : nil
        self.lastTokenField.withLock { $0 = (raw, field) }
        return field
    }

    /// Methods whose requests usually have no body: an empty one is sent without `Content-Length: 0`. (A static
    /// list: the array literal was built for every body-less request.)
    private static let bodylessMethods = ["GET", "HEAD", "DELETE", "OPTIONS"]

    /// A token that cannot be sent as a field value (``ProxyHeaders/isSafeFieldValue(_:)``).
    struct UnusableToken: Error {}

    /// The upstream request's head: the method, the base path and the target, `Host` of the upstream, the
    /// client's fields as ``ProxyHeaders`` leave them, the body's framing, and the token header.
    func upstreamHead(_ exchange: Exchange, body: ProxyRequestBody, tokenField: String) -> HTTPRequestHead {
        var headers = HTTPHeaders()
        headers.reserveCapacity(exchange.fields.count + 3)
        headers.add(name: "Host", value: self.pool.endpoint.hostField)
        headers.add(contentsOf: exchange.fields)
        switch body {
        case .kept(let bytes):
            // A body-less GET sends no `Content-Length: 0`.
            if bytes.readableBytes > 0 || !Self.bodylessMethods.contains(exchange.method) {
                headers.add(name: "Content-Length", value: String(bytes.readableBytes))
            }
        case .streamed(_, let length):
            if let length {
                headers.add(name: "Content-Length", value: String(length))
            } else {
                headers.add(name: "Transfer-Encoding", value: "chunked")
            }
        }
        headers.add(name: self.settings.header.name, value: tokenField)
        return HTTPRequestHead(
            version: .http1_1, method: HTTPMethod(rawValue: exchange.method),
            uri: self.pool.endpoint.basePath + exchange.target.originForm, headers: headers
        )
    }

    // MARK: Rate limits

    /// Records a 429/503 with `Retry-After`: the block starts or grows; returns its end.
    private func noteRateLimit(_ response: UpstreamResponse) -> Int64? {
        guard self.settings.rateLimit.statuses.contains(response.status),
            let value = response.headers.first(name: "Retry-After")
        else { return nil }
        let now = self.clock.now()
        let serverNow = response.headers.first(name: "Date").flatMap(HTTPDate.parse)
        guard let wait = HTTPDate.retryAfter(value, serverNow: serverNow, localNow: Double(now) / 1e9) else { return nil }
        let until = now + max(0, wait.nanoseconds)
        self.metrics.rateLimitedCounter.increment()
        if self.block.block(until: until) {
            self.events.rateLimited(status: response.status, retryAfter: wait, until: until)
        }
        return until
    }

    /// Holds a request while the upstream is blocked (mode `wait`, the block within `max_wait`, or a critical
    /// request), or answers 429 with the remaining `Retry-After`.
    private func passBlock(critical: @autoclosure () -> Bool) async throws -> ProxyLocalAnswer? {
        var counted = false
        while let until = self.block.blockedUntil(now: self.clock.now()) {
            let remaining = Duration.nanoseconds(until - self.clock.now())
            let waits = critical()
                || (self.settings.rateLimit.whenBlocked == .wait && remaining <= self.settings.rateLimit.maxWait)
            guard waits else {
                self.metrics.rejected.increment()
                let seconds = max(1, remaining.wholeSecondsRoundedUp)
                var fields = HTTPFields()
                fields[.retryAfter] = String(seconds)
                return self.answer(
                    429, "rate_limited",
                    "the upstream asked for no requests before the time its Retry-After named; try again then",
                    fields: fields, more: [("retry_after_s", String(seconds))]
                )
            }
            if !counted {
                self.metrics.waited.increment()
                counted = true
            }
            try await self.clock.sleep(untilNanos: until)
        }
        return nil
    }

    /// Waits until the upstream is not blocked (the rate-limited request's own retry).
    private func waitOutBlock() async throws {
        while let until = self.block.blockedUntil(now: self.clock.now()) {
            try await self.clock.sleep(untilNanos: until)
        }
    }

    // MARK: Answers

    private func answer(
        _ status: Int, _ error: String, _ description: String, fields: HTTPFields = HTTPFields(),
        more: [(String, String)] = []
    ) -> ProxyLocalAnswer {
        ProxyErrorAnswer.make(
            status: status, error: error, description: description, proxy: self.settings.name, fields: fields, more: more
        )
    }

    /// 502 `token_unavailable`; when no method gives the provider a token (emergency mode) it also says
    /// `"emergency": true` and lists what was tried, OAuth first, as the token socket does.
    private func tokenUnavailable(_ error: TokenRefreshError) -> ProxyLocalAnswer {
        let description = "no token for provider '\(self.settings.provider)': \(error.reason)"
        let tried = self.manager.attemptsInEmergency(after: error, for: self.provider)
        guard !tried.isEmpty else { return self.answer(502, "token_unavailable", description) }
        // The socket's form of an attempt (`EmergencyRow.Attempt`), encoded the same way.
        let attempts = (try? JSONEncoder().encode(tried.map(EmergencyRow.Attempt.init)))
            .map { String(decoding: $0, as: UTF8.self) }
        return self.answer(
            502, "token_unavailable",
            "provider '\(self.settings.provider)' is in emergency mode: no method gives it a token",
            more: [
                ("emergency", "true"), ("provider", EventJSON.quote(self.settings.provider)),
                ("tried", attempts ?? "[]"),
            ]
        )
    }

    private func tooLarge() -> ProxyLocalAnswer {
        self.answer(
            413, "request_too_large",
            "the request body is larger than this proxy's max_request_body (\(self.settings.maxRequestBody) bytes)"
        )
    }

    /// The answer for a failed exchange: 504 when the upstream was silent too long, 502 when it could not be
    /// reached or broke off, 413 for a streamed body past the limit.
    func failure(_ error: any Error) -> ProxyLocalAnswer {
        if error is ProxyRequestBody.TooLarge { return self.tooLarge() }
        if error is UnusableToken {
            return self.answer(
                502, "token_unusable",
                "provider '\(self.settings.provider)' issued an access token with characters a header cannot carry "
                    + "(RFC 6749 Appendix A.12 allows visible ASCII and spaces); it was not sent"
            )
        }
        if error is CancellationError {
            return self.answer(503, "proxy_stopping", "the proxy is stopping or the client went away")
        }
        let host = self.pool.endpoint.host
        if let error = error as? UpstreamError {
            switch error {
            case .readTimeout:
                return self.answer(
                    504, "upstream_timeout",
                    "\(host) did not answer within read_timeout (\(DurationSyntax.format(self.settings.readTimeout)))"
                )
            case .connectTimeout:
                return self.answer(
                    502, "upstream_unreachable",
                    "no connection to \(host) within connect_timeout (\(DurationSyntax.format(self.settings.connectTimeout)))"
                )
            case .shutdown:
                return self.answer(503, "proxy_stopping", "the proxy is stopping or the client went away")
            case .connectFailed, .closed, .badResponse:
                break
            }
        }
        self.logger.info(
            "proxy: upstream request failed",
            metadata: [
                "proxy": "\(self.settings.name)",
                "error": "\((error as? UpstreamError).map { "\($0)" } ?? "\(type(of: error))")",
            ]
        )
        return self.answer(502, "upstream_unreachable", "\(host) could not be reached or broke off the exchange")
    }
}
