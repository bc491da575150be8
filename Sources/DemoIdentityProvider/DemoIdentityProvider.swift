/// DemoIdentityProvider owns a real OAuth 2.0 token endpoint (RFC 6749 §2.3.1, §4.4, §5, §6) served
/// on loopback with Hummingbird, a protected resource that verifies the tokens it issued (RFC 6750,
/// `GET /api/resource`), a protected API with a quota (`/api/v1/...`: JSON and server-sent events,
/// rate-limit headers), and a schedule of faults (slow answers, error statuses, rate limits,
/// revoked grants and tokens, broken bodies, refused connections) that it injects by time window,
/// endpoint and count. `oauthtop demo` rehearses refresh settings against it; the token manager's tests and
/// benchmarks use it as their identity provider.
///
/// It must not be used as a production identity provider, listen beyond loopback unless told to,
/// or log a secret (client secrets, refresh and access tokens appear only as fingerprints).

import Hummingbird
import JWTKit
import Logging
import Primitives
import ServiceLifecycle
import Synchronization

/// A loopback OAuth 2.0 token server with scheduled faults.
///
/// Each configured endpoint gets its own listener; all share one set of clients and refresh tokens,
/// as replicas of one identity provider would. Fault windows are measured from the start of `run()`
/// with the provider's clock.
///
/// ```swift
/// let provider = DemoIdentityProvider(configuration: .init(), schedule: schedule, logger: logger)
/// async let running: Void = provider.run()
/// let endpoints = try await provider.waitUntilListening()
/// let refreshToken = provider.issueRefreshToken(clientID: "demo-client")
/// ```
public final class DemoIdentityProvider: Service, Sendable {
    /// The configuration the provider was created with.
    public let configuration: DemoIdentityProviderConfiguration
    let logger: Logger
    let clock: WallClock
    let state: Mutex<ProviderState>
    /// Fires when a fault is injected.
    let scheduleChanges = ScheduleChanges()
    /// Every signing key (rotated ones stay, so their tokens still verify), by `kid`.
    let keys = JWTKeyCollection()

    /// Creates a provider; nothing listens until ``run()``.
    ///
    /// - Parameters:
    ///   - configuration: Endpoints, clients, token lifetime and signing.
    ///   - schedule: The faults to inject, none by default. More can be added with ``inject(_:)``.
    ///   - clock: The clock fault windows, delays and latency are measured with.
    ///   - logger: Where the provider logs, at debug (each request) and info (start, outages).
    public init(
        configuration: DemoIdentityProviderConfiguration = DemoIdentityProviderConfiguration(),
        schedule: FaultSchedule = .none,
        clock: any Clock<Duration> = ContinuousClock(),
        logger: Logger
    ) {
        self.configuration = configuration
        self.logger = logger
        self.clock = WallClock(clock)
        var state = ProviderState(schedule: schedule, endpointNames: configuration.endpoints.map(\.name))
        if configuration.recordsIssuedTokens { state.issuedTokens = [] }
        state.refreshTokenReuseInterval = schedule.refreshTokenReuseInterval ?? configuration.refreshTokenReuseInterval
        self.state = Mutex(state)
    }

    /// Runs every endpoint's listener until the task is cancelled or a graceful shutdown arrives.
    ///
    /// A provider runs once. Outages close and reopen listeners while it runs.
    ///
    /// - Throws: ``DemoIdentityProviderError`` if the configuration is invalid, the provider already ran,
    ///   or an endpoint cannot bind its address at start.
    public func run() async throws {
        do {
            try self.configuration.validate()
            let start = self.clock.sinceEpoch()
            try self.state.withLock { state in
                guard case .idle = state.phase else {
                    throw DemoIdentityProviderError.invalidConfiguration("run(): a provider runs only once")
                }
                state.phase = .running(start: start)
            }
        } catch {
            self.finish("failed: \(error)")
            throw error
        }
        await self.configuration.signing.install(in: self.keys, keyID: DemoSigning.keyID)
        if let jwk = self.configuration.signing.publicJWK(keyID: DemoSigning.keyID) {
            self.state.withLock { $0.publishedKeys = [jwk] }
        }
        let keys = self.keys
        self.logger.info(
            "demo identity provider starting",
            metadata: [
                "endpoints": "\(self.configuration.endpoints.map(\.name).joined(separator: ","))",
                "host": "\(self.configuration.host)",
                "signing": "\(self.configuration.signing.algorithm)",
                "faults": "\(self.state.withLock { $0.faults.count })",
            ]
        )
        do {
            try await cancelWhenGracefulShutdown {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for spec in self.configuration.endpoints {
                        let listener = EndpointListener(provider: self, spec: spec, keys: keys)
                        group.addTask { try await listener.run() }
                    }
                    try await group.waitForAll()
                }
            }
        } catch {
            self.finish("failed: \(error)")
            throw error
        }
        self.finish("stopped")
        self.logger.info("demo identity provider stopped")
    }

    private func finish(_ reason: String) {
        self.state.withLock { state in
            if case .finished = state.phase { return }
            state.phase = .finished(reason: reason)
        }
    }

    /// Time since `run()` started on the provider's clock (zero before): the time fault windows are measured in.
    public func uptime() -> Duration { self.elapsed() }

    /// Time since `run()` started on the provider's clock (zero before).
    func elapsed() -> Duration {
        let start: Duration? = self.state.withLock { state in
            if case .running(let start) = state.phase { return start }
            return nil
        }
        guard let start else { return .zero }
        return self.clock.sinceEpoch() - start
    }

    /// Waits until every endpoint has bound its port, then returns them in configuration order.
    ///
    /// Ports stay the same across outages, so the result stays valid while the provider runs,
    /// even when an outage has closed a listener.
    ///
    /// - Parameter timeout: How long to wait (real time).
    /// - Returns: The endpoints with their bound ports and URLs.
    /// - Throws: ``DemoIdentityProviderError/stopped(_:)`` if `run()` ends first (e.g. a port is taken),
    ///   ``DemoIdentityProviderError/timedOut(_:)`` after `timeout`, or `CancellationError`.
    public func waitUntilListening(timeout: Duration = .seconds(30)) async throws -> [DemoEndpoint] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let (known, phase) = self.state.withLock { ($0.ports, $0.phase) }
            if known.count >= self.configuration.endpoints.count {
                return self.endpoints()
            }
            if case .finished(let reason) = phase {
                throw DemoIdentityProviderError.stopped("run() ended before every endpoint listened: \(reason)")
            }
            if ContinuousClock.now >= deadline {
                throw DemoIdentityProviderError.timedOut(
                    "endpoints not listening after \(timeout): "
                        + "\(self.configuration.endpoints.count - known.count) not bound yet"
                )
            }
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    /// The endpoints that have bound a port so far, in configuration order.
    public func endpoints() -> [DemoEndpoint] {
        let ports = self.state.withLock { $0.ports }
        return self.configuration.endpoints.compactMap { spec in
            ports[spec.name].map {
                DemoEndpoint(name: spec.name, host: self.configuration.host, port: $0, path: self.configuration.path)
            }
        }
    }

    /// The endpoint with this name, once it has bound its port.
    ///
    /// - Throws: ``DemoIdentityProviderError/notListening(_:)`` for an unknown name or one not yet bound.
    public func endpoint(named name: String) throws -> DemoEndpoint {
        guard let endpoint = self.endpoints().first(where: { $0.name == name }) else {
            throw DemoIdentityProviderError.notListening("endpoint '\(name)' is not configured or not yet listening")
        }
        return endpoint
    }

    /// Registers a fresh, valid refresh token for a client, as if an earlier grant had issued it.
    ///
    /// - Parameters:
    ///   - clientID: The client it belongs to; another client presenting it gets `invalid_grant`.
    ///   - scope: The scope it grants; `nil` means no restriction on requested scopes.
    /// - Returns: The token. Treat it as a secret.
    public func issueRefreshToken(clientID: String, scope: String? = nil) -> String {
        let token = self.state.withLock { $0.newRefreshToken(clientID: clientID, scope: scope) }
        self.logger.debug(
            "refresh token registered",
            metadata: ["client_id": "\(clientID)", "refresh_token": "sha256:\(Secret.fingerprint(of: token))"]
        )
        return token
    }

    /// Revokes one refresh token.
    ///
    /// - Returns: Whether it was valid before.
    @discardableResult
    public func revokeRefreshToken(_ token: String) -> Bool {
        self.state.withLock { $0.refreshTokens.removeValue(forKey: token) != nil }
    }

    /// Revokes every refresh token: each later refresh grant gets `invalid_grant`.
    public func revokeAllRefreshTokens() {
        let count = self.state.withLock { state in
            defer { state.refreshTokens.removeAll() }
            return state.refreshTokens.count
        }
        self.logger.info("all refresh tokens revoked", metadata: ["count": "\(count)"])
    }

    /// Rotates the RS256 signing key: a new 2048-bit key with a new `kid` signs every later token and is
    /// added to the JWKS; earlier keys stay published and valid.
    ///
    /// - Returns: The new key's `kid`.
    /// - Throws: ``DemoIdentityProviderError/invalidConfiguration(_:)`` with HS256 signing (no published key).
    @discardableResult
    public func rotateSigningKey() async throws -> String {
        guard self.configuration.signing.algorithm == "RS256" else {
            throw DemoIdentityProviderError.invalidConfiguration("signing: key rotation needs RS256 signing")
        }
        let signing = try DemoSigning.rs256GeneratedKey()
        let number = self.state.withLock { state -> Int in
            state.keyRotations += 1
            return state.keyRotations + 1
        }
        let keyID = "\(DemoSigning.keyID)-\(number)"
        await signing.install(in: self.keys, keyID: keyID)
        self.state.withLock { state in
            if let jwk = signing.publicJWK(keyID: keyID) { state.publishedKeys.append(jwk) }
            state.signingKeyID = keyID
        }
        self.logger.info("signing key rotated", metadata: ["kid": "\(keyID)"])
        return keyID
    }

    /// The `kid` tokens are signed with now.
    public var signingKeyID: String { self.state.withLock { $0.signingKeyID } }

    /// Appends a fault to the schedule; its window is measured from the start of `run()`.
    ///
    /// It comes last in schedule order, so earlier faults still win where they match.
    /// A listener notices an injected outage within ``EndpointListener/pollInterval``.
    public func inject(_ fault: Fault) {
        self.state.withLock { state in
            state.faults.append(fault)
            state.faultHits.append(0)
        }
        self.scheduleChanges.signal()
        self.logger.info("fault injected", metadata: ["fault": "\(fault.kind)"])
    }

    /// The faults in schedule order, including injected ones.
    public var schedule: FaultSchedule {
        self.state.withLock { state in
            FaultSchedule(faults: state.faults, refreshTokenReuseInterval: state.refreshTokenReuseInterval)
        }
    }

    /// Every access and refresh token issued so far (including by ``issueRefreshToken(clientID:scope:)``),
    /// in order; empty unless ``DemoIdentityProviderConfiguration/recordsIssuedTokens`` is set.
    ///
    /// - Returns: The tokens. Treat them as secrets: never print them.
    public func issuedTokens() -> [String] {
        self.state.withLock { $0.issuedTokens ?? [] }
    }

    /// The protected API's latest requests (at most ``DemoAPIConfiguration/requestLogCapacity``), in the order
    /// they were answered. `arrivedDuringRetryAfter()` on the result lists those that came too early.
    public func apiRequests() -> [DemoAPIRequest] {
        self.state.withLock { $0.api.log }
    }

    /// Revokes one access token, as the `revoke_token` fault does: the protected resource, the API and
    /// introspection refuse it from then on.
    ///
    /// - Returns: Whether the token was one of this provider's valid tokens (a bad one needs no revoking).
    @discardableResult
    public func revokeAccessToken(_ token: String) async -> Bool {
        let verifier = AccessTokenVerifier(provider: self, keys: self.keys)
        guard case .success(let claims) = await verifier.verify(token: token) else { return false }
        _ = self.state.withLock { $0.revokedTokenIDs.insert(claims.jti.value) }
        self.logger.info("access token revoked", metadata: ["jti": "\(claims.jti.value)"])
        return true
    }

    /// The counts so far.
    public func statistics() -> DemoStatistics {
        self.state.withLock { $0.statistics }
    }

    /// Waits until at least `count` requests have arrived (on one endpoint, or on all together).
    ///
    /// - Parameters:
    ///   - count: The number of requests to wait for.
    ///   - endpoint: An endpoint name, or `nil` for all.
    ///   - timeout: How long to wait (real time).
    /// - Returns: The statistics at the moment the condition held.
    /// - Throws: ``DemoIdentityProviderError/timedOut(_:)`` after `timeout`, or `CancellationError`.
    @discardableResult
    public func waitForRequests(
        _ count: Int,
        endpoint: String? = nil,
        timeout: Duration = .seconds(30)
    ) async throws -> DemoStatistics {
        let deadline = ContinuousClock.now + timeout
        while true {
            let statistics = self.statistics()
            let seen = endpoint.map { statistics[endpoint: $0].requests } ?? statistics.total.requests
            if seen >= count { return statistics }
            if ContinuousClock.now >= deadline {
                throw DemoIdentityProviderError.timedOut(
                    "saw \(seen) of \(count) requests on \(endpoint ?? "all endpoints") within \(timeout)"
                )
            }
            try await Task.sleep(for: .milliseconds(2))
        }
    }
}
