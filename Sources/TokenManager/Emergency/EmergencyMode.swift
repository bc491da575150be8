import CoreMetrics
import Logging
import Synchronization

/// Where a provider in emergency mode stands: since when no method could give it a token, and what
/// was tried the last time.
public struct EmergencyStatus: Sendable, Hashable {
    /// When this outage's emergency began (Unix nanoseconds on the manager's clock).
    public var since: Int64
    /// What was tried the last time a token was asked for, OAuth first.
    public var tried: [FallbackAttempt]

    public init(since: Int64, tried: [FallbackAttempt]) {
        self.since = since
        self.tried = tried
    }
}

/// One provider's emergency mode: entered when no method can give the provider a token (OAuth failed
/// with its token expired or gone, and every fallback entry failed, or it has none), left when any
/// method gives one again.
///
/// Entering it publishes one `emergency` event (critical) per outage, not one per caller, and sets
/// `oauth_emergency_mode{provider}` to 1, which the built-in emergency alert watches; leaving it
/// publishes `emergency_ended` and sets the gauge back to 0. Reading it on the hot path costs one
/// atomic load.
final class EmergencyMode: Sendable {
    private let provider: String
    private let events: TokenEventBus
    private let gauge: Gauge
    private let logger: Logger
    private let state = Mutex<EmergencyStatus?>(nil)
    /// Whether `state` holds an outage, so a healthy provider takes no lock here.
    private let active = Atomic<Bool>(false)

    init(provider: String, events: TokenEventBus, gauge: Gauge, logger: Logger) {
        self.provider = provider
        self.events = events
        self.gauge = gauge
        self.logger = logger
        gauge.record(0)
    }

    /// The current outage, if the provider is in emergency mode.
    var status: EmergencyStatus? {
        guard self.active.load(ordering: .acquiring) else { return nil }
        return self.state.withLock { $0 }
    }

    /// Records that no method gave a token: starts emergency mode (reported once) or updates what
    /// was tried in the one under way.
    ///
    /// - Parameters:
    ///   - tried: Every method tried, OAuth first; never empty.
    ///   - error: The error the caller gets, for the event's `error` field (free of secrets).
    ///   - now: Wall time on the manager's clock.
    func enter(tried: [FallbackAttempt], error: TokenRefreshError, at now: Int64) {
        let started = self.state.withLock { state -> Bool in
            if state != nil {
                state?.tried = tried
                return false
            }
            state = EmergencyStatus(since: now, tried: tried)
            self.active.store(true, ordering: .releasing)
            return true
        }
        guard started else { return }
        self.gauge.record(1)
        let summary = Self.summary(tried)
        self.events.emit(
            TokenEvent(kind: .emergency, timestamp: now, provider: self.provider, severity: .critical, fields: [
                ("methods", .int(Int64(tried.count))), ("oauth_reason", .string(tried.first?.reason ?? "")),
                ("tried", .string(summary)), ("error", .string(error.description)),
            ])
        )
        self.logger.error(
            "no method gives a token: emergency mode",
            metadata: ["provider": "\(self.provider)", "tried": "\(summary)"]
        )
    }

    /// Ends emergency mode, if the provider is in it: `method` gave a token at `now`.
    func leave(at now: Int64, method: String) {
        guard self.active.load(ordering: .acquiring) else { return }
        let ended = self.state.withLock { state -> EmergencyStatus? in
            defer {
                state = nil
                self.active.store(false, ordering: .releasing)
            }
            return state
        }
        guard let ended else { return }
        self.gauge.record(0)
        self.events.emit(
            TokenEvent(kind: .emergencyEnded, timestamp: now, provider: self.provider, fields: [
                ("recovered_by", .string(method)),
                ("duration_ms", .double(RefreshRound.milliseconds(nanoseconds: now - ended.since))),
            ])
        )
        self.logger.notice(
            "a token again: emergency mode ended", metadata: ["provider": "\(self.provider)", "method": "\(method)"]
        )
    }

    /// `1) OAuth (breaker_open); 2) emergency key secret(sha256:…) (not_approved)`: each method with its
    /// reason; the details are in the `error` field and in ``EmergencyStatus/tried``.
    static func summary(_ tried: [FallbackAttempt]) -> String {
        tried.enumerated().map { "\($0.offset + 1)) \($0.element.entry) (\($0.element.reason))" }
            .joined(separator: "; ")
    }
}
