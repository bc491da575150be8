import Dashboard
import Foundation
import Primitives
import TokenManager

/// What the token socket does for each request, apart from HTTP: hands out tokens through the
/// manager's `token(for:)` (a request during a refresh waits for it, single-flight), reports status,
/// runs manual refreshes (the dashboard's `r`), records consumers and counts every request in
/// `oauth_token_requests_total{consumer="socket"}`.
///
/// It never logs; a token leaves only in the body of a `GET /v1/token/{provider}` answer.
public final class TokenSocketHandler: Sendable {
    public let manager: OAuthTokenManager
    public let consumers: SocketConsumers
    public let metrics: TokenRequestMetrics
    private let alerts: @Sendable () -> [AlertRow]
    /// Answers `/api/v1/...`; `nil` answers those paths 404.
    public let prometheusAPI: PrometheusAPIEndpoint?
    private let otherConsumers: @Sendable () -> [SocketStatus.Consumer]
    private let clock: WallClock
    private let daemon: SocketStatus.Daemon
    private let dashboard: (any DashboardFeed)?

    /// Creates the handler.
    ///
    /// - Parameters:
    ///   - manager: Where tokens come from.
    ///   - socketPath: The Unix socket's path, reported by `/v1/status`.
    ///   - metrics: The request counters (consumer `socket`).
    ///   - consumers: The registry of clients seen; shared with whoever else lists consumers.
    ///   - alerts: The pending and firing alerts, when rules are evaluated.
    ///   - otherConsumers: Consumers that are not clients of the socket (exec'd tasks, sinks), listed
    ///     by `/v1/status` after the socket's own.
    ///   - dashboard: What `GET /v1/dashboard` serves to attached dashboards; `nil` answers 404.
    ///   - prometheusAPI: Answers Prometheus's query API (`/api/v1/query`, `/api/v1/query_range`,
    ///     `/api/v1/alerts`) from the daemon's series; `nil` serves none.
    ///   - clock: Wall time; tests inject one.
    public init(
        manager: OAuthTokenManager,
        socketPath: String,
        metrics: TokenRequestMetrics,
        consumers: SocketConsumers = SocketConsumers(),
        alerts: @escaping @Sendable () -> [AlertRow] = { [] },
        otherConsumers: @escaping @Sendable () -> [SocketStatus.Consumer] = { [] },
        dashboard: (any DashboardFeed)? = nil,
        prometheusAPI: PrometheusAPIEndpoint? = nil,
        clock: WallClock = .system
    ) {
        self.dashboard = dashboard
        self.prometheusAPI = prometheusAPI
        self.otherConsumers = otherConsumers
        self.manager = manager
        self.consumers = consumers
        self.metrics = metrics
        self.alerts = alerts
        self.clock = clock
        self.daemon = SocketStatus.Daemon(
            pid: getpid(), uid: UInt32(getuid()), startedAt: RFC3339.seconds(unixNanoseconds: clock.now()),
            socket: socketPath
        )
    }

    /// Answers a parsed request from an admitted peer.
    public func handle(_ route: SocketRoute, peer: SocketPeer) async -> SocketReply {
        self.consumers.record(peer, provider: route.provider, at: self.clock.now())
        switch route {
        case .token(let name):
            let reply = await self.token(name)
            self.metrics.record(provider: name, outcome: reply.outcome)
            return reply
        case .status:
            self.metrics.record(provider: nil, outcome: "success")
            return .json(self.status(), status: 200, outcome: "success")
        case .dashboard:
            guard let dashboard = self.dashboard,
                let state = try? await dashboard.state(now: self.clock.now()).snapshot
            else {
                self.metrics.record(provider: nil, outcome: "not_found")
                return .json(
                    SocketErrorBody(error: "not_found", message: "this daemon serves no dashboard"), status: 404,
                    outcome: "not_found"
                )
            }
            self.metrics.record(provider: nil, outcome: "success")
            return .json(state, status: 200, outcome: "success")
        case .refresh(let name):
            return await self.refresh(name)
        case .prometheus(let endpoint):
            return self.prometheus(endpoint, query: [], form: [])
        }
    }

    /// Answers a Prometheus API request from its URL query and `POST` form body (undecoded), counting it under the
    /// outcome `success`, `bad_data` or `execution`.
    public func prometheus(
        _ endpoint: PrometheusAPIRoute, query: [UInt8], form: [UInt8], peer: SocketPeer
    ) -> SocketReply {
        self.consumers.record(peer, provider: nil, at: self.clock.now())
        return self.prometheus(endpoint, query: query, form: form)
    }

    private func prometheus(_ endpoint: PrometheusAPIRoute, query: [UInt8], form: [UInt8]) -> SocketReply {
        guard let api = self.prometheusAPI else { return self.refuse(.notFound(path: endpoint.path)) }
        let reply = api.answer(endpoint, query: query, form: form)
        self.metrics.record(provider: nil, outcome: reply.outcome)
        return reply
    }

    /// Answers a refused or malformed request, counting it.
    ///
    /// - Parameters:
    ///   - provider: The provider the request named, when it could be parsed.
    public func refuse(_ error: SocketRequestError, provider: String? = nil) -> SocketReply {
        self.metrics.record(provider: provider, outcome: error.outcome)
        return .error(error)
    }

    // MARK: Token

    private func token(_ name: String) async -> SocketReply {
        guard let provider = self.manager.provider(named: name) else { return self.unknown(name) }
        let token: AccessToken
        do {
            token = try await self.manager.token(for: provider)
        } catch {
            return Self.failure(error, provider: name, tried: self.manager.attemptsInEmergency(after: error, for: provider))
        }
        return SocketReply(status: 200, body: Self.tokenJSON(token, now: self.clock.now()), outcome: "success")
    }

    /// The 503 `refresh_failed` for a failed `token(for:)`; when no method gives the provider a token it also
    /// says `emergency` and lists what was `tried` (``OAuthTokenManager/attemptsInEmergency(after:for:)``).
    static func failure(_ error: TokenRefreshError, provider: String, tried: [FallbackAttempt]) -> SocketReply {
        let body = tried.isEmpty
            ? SocketErrorBody(error: "refresh_failed", message: error.description)
            : SocketErrorBody(
                error: "refresh_failed", message: error.description, emergency: true, provider: provider,
                tried: tried.map(EmergencyRow.Attempt.init)
            )
        return .json(body, status: 503, outcome: "refresh_failed")
    }

    /// The body of a `GET /v1/token/{provider}` answer when it needs no waiting: the provider is
    /// configured and the manager holds a token `token(for:)` would hand out as it is (outside the
    /// mandatory window). Records the consumer and counts the request as ``handle(_:peer:)`` does; `nil`
    /// (nothing recorded) when the request must go that slow, single-flight way.
    func cachedToken(_ name: String, peer: SocketPeer) -> [UInt8]? {
        guard let provider = self.manager.provider(named: name), let token = self.manager.cachedToken(for: provider)
        else { return nil }
        let now = self.clock.now()
        self.consumers.record(peer, provider: name, at: now)
        self.metrics.record(provider: name, outcome: "success")
        return Self.tokenJSON(token, now: now)
    }

    /// The token body, written by hand into one array: it is the hot path of the TCP benchmark
    /// (`Benchmarks/socket-compare`), where JSONEncoder, and then quoting the token scalar by scalar,
    /// cost more than the rest of the request.
    static func tokenJSON(_ token: AccessToken, now: Int64) -> [UInt8] {
        let expiresIn = max(0, (token.expiresAt - now) / 1_000_000_000)
        let value = token.value.revealed
        var body: [UInt8] = []
        body.reserveCapacity(value.utf8.count + token.tokenType.utf8.count + 96)
        body.append(contentsOf: "{\"access_token\":".utf8)
        Self.appendQuoted(value, to: &body)
        body.append(contentsOf: ",\"expires_at\":\"".utf8)
        body.append(contentsOf: RFC3339.seconds(unixNanoseconds: token.expiresAt).utf8)
        body.append(contentsOf: "\",\"expires_in\":".utf8)
        body.append(contentsOf: String(expiresIn).utf8)
        body.append(contentsOf: ",\"token_type\":".utf8)
        Self.appendQuoted(token.tokenType, to: &body)
        body.append(UInt8(ascii: "}"))
        return body
    }

    /// Appends `text` as a JSON string literal, byte for byte what `EventJSON.quote` writes: tokens are
    /// printable ASCII (RFC 6749 §A.12), copied as they are; anything else goes through `quote`.
    private static func appendQuoted(_ text: String, to body: inout [UInt8]) {
        let plain = text.utf8.allSatisfy { byte in
            byte >= 0x20 && byte < 0x7F && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\")
        }
        if plain {
            body.append(UInt8(ascii: "\""))
            body.append(contentsOf: text.utf8)
            body.append(UInt8(ascii: "\""))
        } else {
            body.append(contentsOf: EventJSON.quote(text).utf8)
        }
    }

    private func unknown(_ name: String) -> SocketReply {
        let known = self.manager.providers.map(\.name).joined(separator: ", ")
        return .json(
            SocketErrorBody(error: "unknown_provider", message: "no provider '\(name)' (configured: \(known))"),
            status: 404, outcome: "unknown_provider"
        )
    }

    // MARK: Status

    /// The body of `GET /v1/status`.
    public func status() -> SocketStatus {
        let now = self.clock.now()
        let providers = self.manager.snapshot().map { snapshot in
            SocketStatus.Provider(
                name: snapshot.name,
                phase: snapshot.phase.rawValue,
                tokenFingerprint: snapshot.tokenFingerprint,
                expiresAt: snapshot.expiresAt.map { RFC3339.seconds(unixNanoseconds: $0) },
                expiresIn: snapshot.expiresAt.map { ($0 - now) / 1_000_000_000 },
                breaker: BreakerStatus(snapshot.breaker).rawValue,
                consecutiveFailures: snapshot.consecutiveFailures,
                refreshing: snapshot.refreshing,
                lastError: snapshot.lastError,
                needsIntervention: snapshot.needsIntervention,
                fallbackInUse: snapshot.fallbackInUse?.rawValue,
                lastSuccessAt: snapshot.lastSuccessAt.map { RFC3339.seconds(unixNanoseconds: $0) },
                fleetLock: snapshot.lockHolder.map {
                    .init(instanceID: $0.instanceID, host: $0.host, since: RFC3339.seconds(unixNanoseconds: $0.since))
                },
                emergency: snapshot.emergency.map {
                    .init(
                        since: RFC3339.seconds(unixNanoseconds: $0.since),
                        tried: $0.tried.map(EmergencyRow.Attempt.init)
                    )
                }
            )
        }
        let alerts = self.alerts().map { row in
            SocketStatus.Alert(
                name: row.name, state: row.state.rawValue, severity: row.severity,
                since: RFC3339.seconds(unixNanoseconds: row.since), summary: row.summary
            )
        }
        return SocketStatus(
            daemon: self.daemon, providers: providers, alerts: alerts,
            consumers: self.consumers.list() + self.otherConsumers()
        )
    }

    // MARK: Refresh

    private func refresh(_ name: String?) async -> SocketReply {
        let providers: [ProviderID]
        if let name {
            guard let provider = self.manager.provider(named: name) else {
                let reply = self.unknown(name)
                self.metrics.record(provider: name, outcome: reply.outcome)
                return reply
            }
            providers = [provider]
        } else {
            providers = self.manager.providers
        }
        let results = await self.refresh(providers)
        for result in results {
            let refreshed = result.outcome == SocketRefreshOutcome.Result.refreshed
            self.metrics.record(provider: result.provider, outcome: refreshed ? "success" : "refresh_failed")
        }
        let outcome = SocketRefreshOutcome(results: results)
        let label = outcome.succeeded ? "success" : "refresh_failed"
        return .json(outcome, status: outcome.succeeded ? 200 : 503, outcome: label)
    }

    /// Runs manual refreshes of `providers` concurrently, as the dashboard's `r` does (joining a
    /// refresh in flight); results in the order given.
    public func refresh(_ providers: [ProviderID]) async -> [SocketRefreshOutcome.Result] {
        await withTaskGroup(of: (Int, SocketRefreshOutcome.Result).self) { group in
            for (index, provider) in providers.enumerated() {
                group.addTask { (index, await self.refreshOne(provider)) }
            }
            var results: [(Int, SocketRefreshOutcome.Result)] = []
            for await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    private func refreshOne(_ provider: ProviderID) async -> SocketRefreshOutcome.Result {
        do {
            let token = try await self.manager.refresh(provider)
            return SocketRefreshOutcome.Result(
                provider: provider.name, outcome: SocketRefreshOutcome.Result.refreshed,
                tokenFingerprint: token.value.fingerprint,
                expiresAt: RFC3339.seconds(unixNanoseconds: token.expiresAt),
                expiresIn: max(0, (token.expiresAt - self.clock.now()) / 1_000_000_000)
            )
        } catch {
            return SocketRefreshOutcome.Result(
                provider: provider.name, outcome: SocketRefreshOutcome.Result.failed,
                reason: error.reason, error: error.description
            )
        }
    }
}
