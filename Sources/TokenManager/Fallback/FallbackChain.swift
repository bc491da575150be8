import CoreMetrics
import Foundation
import Synchronization

/// One provider's fallback chain in use: which entry serves the current outage, the emergency
/// keys' time limits, the `oauth_fallback_auth_used_total` counters and the fallback events.
///
/// An *outage* starts with the first fallback hand-out and ends when OAuth gives the provider a
/// real token again (``recovered(at:)``); emergency time limits and "reported once" flags are
/// per outage.
final class FallbackChain: Sendable {
    private struct State: Sendable {
        /// When the first fallback hand-out of this outage happened; `nil` while on OAuth.
        var engagedAt: Int64?
        /// The entry that served the last hand-out.
        var current: Int?
        var uses = 0
        /// First use of each emergency entry in this outage, by entry index.
        var emergencyFirstUse: [Int: Int64] = [:]
        /// `"index/reason"` of refusals already reported in this outage.
        var reported: Set<String> = []
    }

    /// What a hand-out changed, to report outside the lock.
    private struct HandOut {
        var engaged: (previous: Int?, oauthReason: String)?
    }

    let provider: String
    let entries: [FallbackCredential]
    private let counters: [Counter]
    private let events: TokenEventBus
    /// The provider's emergency mode: entered when every entry failed, left by a hand-out.
    private let emergency: EmergencyMode
    private let state = Mutex(State())
    /// Whether `state` holds anything of an outage (a hand-out, a refusal, a time limit running),
    /// so a healthy provider's slow path takes no lock here.
    private let active = Atomic<Bool>(false)
    private let fileExists: @Sendable (String) -> Bool
    /// Bumped by every ``recovered(at:)``: a caller whose OAuth failure predates a recovery must
    /// not start a new outage with it.
    private let recoveries = Atomic<UInt64>(0)

    /// The token caches of the entries that fetch theirs (GitHub App, second OAuth client), by entry index.
    private let caches: [FallbackTokenCache?]
    /// What those entries run to fetch a token, by entry index.
    private let fetchers: [(@Sendable () async -> Result<FetchedToken, AttemptFailure>)?]
    /// The approval commands of emergency entries, by entry index.
    private let gates: [ApprovalGate?]

    /// - Parameters:
    ///   - environment: The provider (its name, `fallback` entries and policies) and the manager's
    ///     transport, clock and event bus.
    ///   - factory: Where `oauth_fallback_auth_used_total` is made.
    ///   - emergency: The provider's emergency mode, entered when every entry failed.
    ///   - fileExists: Checks an approval file; tests inject one.
    init(
        environment: FallbackEnvironment,
        factory: any MetricsFactory,
        emergency: EmergencyMode,
        fileExists: @escaping @Sendable (String) -> Bool = { FileManager.default.fileExists(atPath: $0) }
    ) {
        let provider = environment.provider.name
        let entries = environment.provider.fallback
        self.provider = provider
        self.entries = entries
        self.events = environment.events
        self.emergency = emergency
        self.fileExists = fileExists
        // One counter per method, created now so rules and panels see zeros before the first use.
        var byMethod: [FallbackCredential.Method: Counter] = [:]
        self.counters = entries.map { entry in
            if let counter = byMethod[entry.method] { return counter }
            let counter = Counter(
                label: OAuthMetricNames.fallbackAuthUsed,
                dimensions: [("provider", provider), ("method", entry.method.rawValue)],
                factory: factory
            )
            byMethod[entry.method] = counter
            return counter
        }
        // A failed fetch is not repeated at once: first after the retry policy's base delay, doubling up
        // to the breaker's cool-down (or longer when the answer was a rate limit).
        let newCache = {
            FallbackTokenCache(
                clock: environment.clock, firstHold: environment.provider.retry.baseDelay,
                maxHold: environment.provider.breaker.coolDown
            )
        }
        var caches: [FallbackTokenCache?] = []
        var fetchers: [(@Sendable () async -> Result<FetchedToken, AttemptFailure>)?] = []
        var gates: [ApprovalGate?] = []
        for entry in entries {
            var cache: FallbackTokenCache?
            var fetcher: (@Sendable () async -> Result<FetchedToken, AttemptFailure>)?
            var gate: ApprovalGate?
            switch entry.source {
            case .githubApp(let installation):
                let source = GitHubAppTokenSource(installation: installation, environment: environment)
                (cache, fetcher) = (newCache(), { await source.fetch() })
            case .oauthClient(let client):
                let source = OAuthClientTokenSource(client: client, environment: environment)
                (cache, fetcher) = (newCache(), { await source.fetch() })
            case .emergency(_, _, _, let command?, _):
                gate = ApprovalGate(command: command, clock: environment.clock)
            case .alternate, .emergency:
                break
            }
            caches.append(cache)
            fetchers.append(fetcher)
            gates.append(gate)
        }
        self.caches = caches
        self.fetchers = fetchers
        self.gates = gates
    }

    /// Read before asking OAuth; ``handOut(oauthError:epoch:now:alternate:)`` compares it.
    var epoch: UInt64 { self.recoveries.load(ordering: .acquiring) }

    /// Whether a fallback credential served this provider since OAuth last gave it a token.
    var isEngaged: Bool {
        guard self.active.load(ordering: .acquiring) else { return false }
        return self.state.withLock { $0.engagedAt != nil }
    }

    /// The method of the entry in use, while engaged.
    var currentMethod: FallbackCredential.Method? {
        self.state.withLock { state in state.engagedAt == nil ? nil : state.current.map { self.entries[$0].method } }
    }

    /// Hands out the first entry's credential that works.
    ///
    /// - Parameters:
    ///   - oauthError: Why OAuth could not give a token; thrown, extended, if no entry works.
    ///   - epoch: ``epoch`` as read before OAuth was asked.
    ///   - now: Wall time on the manager's clock.
    ///   - alternate: Asks another provider for its OAuth token (never its fallback).
    /// - Returns: The credential, or `nil` when OAuth recovered since `epoch` (ask it again).
    /// - Throws: `oauthError` extended with why each entry failed (``TokenRefreshError/tried``); the
    ///   provider is then in emergency mode.
    func handOut(
        oauthError: TokenRefreshError,
        epoch: UInt64,
        now: @Sendable () -> Int64,
        alternate: (String) async throws(TokenRefreshError) -> AccessToken
    ) async throws(TokenRefreshError) -> AccessToken? {
        var failures: [FallbackAttempt] = []
        for (index, entry) in self.entries.enumerated() {
            switch entry.source {
            case .alternate(let name):
                do {
                    var token = try await alternate(name)
                    token.fallback = .alternateProvider
                    let detail = Self.describe(entry) + [("token_sha256", .string(token.value.fingerprint))]
                    let recorded = self.record(
                        index, epoch: epoch, at: now(), oauthReason: oauthError.reason, detail: detail)
                    return recorded ? token : nil
                } catch {
                    failures.append(entry.attempt(reason: "alternate_failed", detail: error.description))
                    self.refused(index, reason: "alternate_failed", at: now(), detail: error.description)
                }
            case .githubApp, .oauthClient:
                guard let cache = self.caches[index], let fetch = self.fetchers[index] else { continue }
                switch await cache.token(fetch: fetch) {
                case .success(let token):
                    let at = now()
                    let detail =
                        Self.describe(entry) + [
                            ("token_sha256", .string(token.value.fingerprint)),
                            ("expires_in_s", .double((Double(token.expiresAt - at) / 1e8).rounded() / 10)),
                        ]
                    let recorded = self.record(
                        index, epoch: epoch, at: at, oauthReason: oauthError.reason, detail: detail)
                    return recorded ? token : nil
                case .failure(let failure):
                    let reason = "\(entry.method.rawValue)_failed"
                    failures.append(entry.attempt(reason: reason, detail: failure.description))
                    self.refused(index, reason: reason, at: now(), detail: failure.description)
                }
            case .emergency(let key, let maxDuration, let approvalFile, _, let tokenType):
                let at = now()
                if let approvalFile, !self.fileExists(approvalFile) {
                    let why = "not approved: approval file '\(approvalFile)' does not exist (create it to approve)"
                    failures.append(entry.attempt(reason: "not_approved", detail: why))
                    self.refused(index, reason: "not_approved", at: at, detail: why)
                    continue
                }
                if let gate = self.gates[index] {
                    // Marked first, so that a recovery racing with this question resets the gate.
                    self.active.store(true, ordering: .releasing)
                    let request = ApprovalGate.Request(
                        provider: self.provider, reason: oauthError.reason, error: oauthError.description,
                        maxDuration: maxDuration, entry: index + 1, key: key
                    )
                    switch gate.decision(for: request) {
                    case .approved:
                        break
                    case .pending(let since):
                        let why =
                            "awaiting approval: \(gate.command) asked "
                            + "\(TokenRefreshError.format(seconds: Double(max(0, at - since)) / 1e9)) ago"
                        failures.append(entry.attempt(reason: "approval_pending", detail: why))
                        self.refused(index, reason: "approval_pending", at: at, detail: why)
                        continue
                    case .refused(let detail):
                        let why = "not approved: \(detail)"
                        failures.append(entry.attempt(reason: "not_approved", detail: why))
                        self.refused(index, reason: "not_approved", at: at, detail: why)
                        continue
                    }
                }
                // `nil` when OAuth recovered meanwhile; `.some(nil)` when the time limit is over.
                let firstUse = self.state.withLock { state -> Int64?? in
                    guard self.recoveries.load(ordering: .acquiring) == epoch else { return nil }
                    let first = state.emergencyFirstUse[index] ?? at
                    guard at - first <= maxDuration.nanoseconds else { return .some(nil) }
                    state.emergencyFirstUse[index] = first
                    self.active.store(true, ordering: .releasing)
                    return first
                }
                guard let firstUse else { return nil }
                guard let firstUse else {
                    let why =
                        "time limit of \(TokenRefreshError.format(seconds: maxDuration.seconds)) "
                        + "since its first use in this outage is over"
                    failures.append(entry.attempt(reason: "time_limit", detail: why))
                    self.refused(index, reason: "time_limit", at: at, detail: why)
                    continue
                }
                let expiresAt = firstUse &+ maxDuration.nanoseconds
                let detail =
                    Self.describe(entry) + [
                        ("key_sha256", .string(key.fingerprint)),
                        ("usable_for_s", .double((Double(expiresAt - at) / 1e8).rounded() / 10)),
                    ]
                let recorded = self.record(index, epoch: epoch, at: at, oauthReason: oauthError.reason, detail: detail)
                guard recorded else { return nil }
                return AccessToken(value: key, tokenType: tokenType, expiresAt: expiresAt, fallback: .emergencyKey)
            }
        }
        let error = TokenRefreshError.fallbackFailed(previous: oauthError, entries: failures)
        // Unless OAuth recovered meanwhile (the caller then asks it again and gets its answer).
        if self.recoveries.load(ordering: .acquiring) == epoch {
            self.emergency.enter(tried: error.tried, error: error, at: now())
        }
        throw error
    }

    /// Ends the outage, if any: OAuth gave a real token at `at`.
    func recovered(at: Int64) {
        self.recoveries.add(1, ordering: .acquiringAndReleasing)
        guard self.active.load(ordering: .acquiring) else { return }
        for gate in self.gates { gate?.reset() }
        let ended = self.state.withLock { state -> (since: Int64, uses: Int, method: FallbackCredential.Method?)? in
            let summary = state.engagedAt.map { ($0, state.uses, state.current.map { self.entries[$0].method }) }
            state = State()
            self.active.store(false, ordering: .releasing)
            return summary
        }
        guard let ended else { return }
        self.emit(
            .fallbackEnded, at: at, .info,
            [
                ("method", .string(ended.method?.rawValue ?? "")), ("uses", .int(Int64(ended.uses))),
                ("duration_ms", .double(RefreshRound.milliseconds(nanoseconds: at - ended.since))),
            ])
    }

    /// Ends approval commands still running (the manager shuts down); they are killed.
    func stop() {
        for gate in self.gates { gate?.reset() }
    }

    /// Counts a hand-out of entry `index` and reports the start of an outage or a change of entry.
    ///
    /// - Returns: `false`, counting nothing, when OAuth recovered since `epoch`.
    private func record(
        _ index: Int,
        epoch: UInt64,
        at now: Int64,
        oauthReason: String,
        detail: [(key: String, value: TokenEvent.Value)]
    ) -> Bool {
        let change = self.state.withLock { state -> HandOut? in
            guard self.recoveries.load(ordering: .acquiring) == epoch else { return nil }
            var change = HandOut()
            if state.engagedAt == nil {
                state.engagedAt = now
                change.engaged = (nil, oauthReason)
            } else if state.current != index {
                change.engaged = (state.current, oauthReason)
            }
            state.current = index
            state.uses += 1
            self.active.store(true, ordering: .releasing)
            return change
        }
        guard let change else { return false }
        self.counters[index].increment()
        self.emergency.leave(at: now, method: self.entries[index].method.rawValue)
        guard let engaged = change.engaged else { return true }
        let method = self.entries[index].method
        var fields: [(key: String, value: TokenEvent.Value)] = [
            ("method", .string(method.rawValue)), ("entry", .int(Int64(index + 1))),
            ("oauth_reason", .string(engaged.oauthReason)),
        ]
        if let previous = engaged.previous {
            fields.append(("switched_from", .string(self.entries[previous].method.rawValue)))
        }
        self.emit(.fallbackEngaged, at: now, .warning, fields + detail)
        if method == .emergencyKey {
            self.emit(.emergencyKeyUsed, at: now, .critical, [("entry", .int(Int64(index + 1)))] + detail)
        }
        return true
    }

    /// Reports, once per outage and reason, that entry `index` could not be used.
    private func refused(_ index: Int, reason: String, at now: Int64, detail: String) {
        let first = self.state.withLock { state in
            self.active.store(true, ordering: .releasing)
            return state.reported.insert("\(index)/\(reason)").inserted
        }
        guard first else { return }
        self.emit(
            .fallbackRefused, at: now, .warning,
            [
                ("method", .string(self.entries[index].method.rawValue)), ("entry", .int(Int64(index + 1))),
                ("reason", .string(reason)), ("detail", .string(detail)),
            ])
    }

    /// The fields that say which credential an entry is, for its `fallback_engaged` event (never a secret).
    private static func describe(_ entry: FallbackCredential) -> [(key: String, value: TokenEvent.Value)] {
        switch entry.source {
        case .alternate(let provider):
            [("alternate_provider", .string(provider))]
        case .githubApp(let installation):
            [("github_app_id", .string(installation.appID)), ("installation_id", .string(installation.installationID))]
        case .oauthClient(let client):
            [("client_id", .string(client.clientID))]
        case .emergency(_, _, let file, let command, _):
            switch (file, command) {
            case (nil, nil): []
            case (_?, nil): [("approved_by", .string("file"))]
            case (nil, _?): [("approved_by", .string("command"))]
            case (_?, _?): [("approved_by", .string("file+command"))]
            }
        }
    }

    private func emit(
        _ kind: TokenEvent.Kind,
        at timestamp: Int64,
        _ severity: TokenEvent.Severity,
        _ fields: [(key: String, value: TokenEvent.Value)]
    ) {
        self.events.emit(
            TokenEvent(kind: kind, timestamp: timestamp, provider: self.provider, severity: severity, fields: fields)
        )
    }
}
