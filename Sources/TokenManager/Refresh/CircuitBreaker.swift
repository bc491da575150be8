/// A circuit breaker's state, with the gauge value of `oauth_circuit_breaker_state`.
public struct BreakerState: Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String
    /// 0 closed, 1 half-open, 2 open.
    public let gaugeValue: Int

    private init(_ rawValue: String, _ gaugeValue: Int) {
        self.rawValue = rawValue
        self.gaugeValue = gaugeValue
    }

    /// Rounds run normally.
    public static let closed = BreakerState("closed", 0)
    /// The cool-down is over: one probe round is let through.
    public static let halfOpen = BreakerState("half_open", 1)
    /// No request leaves the process until the cool-down ends.
    public static let open = BreakerState("open", 2)

    public var description: String { self.rawValue }
}

/// A change of breaker state.
public struct BreakerTransition: Sendable, Hashable {
    public var from: BreakerState
    public var to: BreakerState
}

/// The circuit breaker of one provider, as a value-type state machine driven by round outcomes.
///
/// It counts consecutive failed refresh rounds; at `failureThreshold` it opens. While open,
/// ``admit(now:)`` refuses rounds until `coolDown` has passed, then moves to half-open and lets
/// one probe round through (rounds are single-flight, so there is only ever one). The probe's
/// success closes it; its failure opens it again for another cool-down.
public struct CircuitBreaker: Sendable {
    public let policy: BreakerPolicy
    public private(set) var state: BreakerState = .closed
    public private(set) var consecutiveFailures = 0
    /// When the current state began (Unix nanoseconds).
    public private(set) var since: Int64
    /// When the breaker last opened (Unix nanoseconds).
    public private(set) var openedAt: Int64 = 0

    public init(policy: BreakerPolicy, now: Int64) {
        self.policy = policy
        self.since = now
    }

    /// When an open breaker lets the next probe through.
    public var reopensAt: Int64 { self.openedAt + self.policy.coolDown.nanoseconds }

    /// Asks whether a round may run now.
    ///
    /// - Returns: Whether it may, and the transition to half-open when the cool-down just ended.
    public mutating func admit(now: Int64) -> (allowed: Bool, transition: BreakerTransition?) {
        guard self.state == .open else { return (true, nil) }
        guard now >= self.reopensAt else { return (false, nil) }
        return (true, self.move(to: .halfOpen, now: now))
    }

    /// Records a successful round.
    public mutating func recordSuccess(now: Int64) -> BreakerTransition? {
        self.consecutiveFailures = 0
        return self.state == .closed ? nil : self.move(to: .closed, now: now)
    }

    /// Records a failed round.
    public mutating func recordFailure(now: Int64) -> BreakerTransition? {
        self.consecutiveFailures += 1
        switch self.state {
        case .halfOpen:
            self.openedAt = now
            return self.move(to: .open, now: now)
        case .closed where self.consecutiveFailures >= max(1, self.policy.failureThreshold):
            self.openedAt = now
            return self.move(to: .open, now: now)
        default:
            return nil
        }
    }

    fileprivate mutating func move(to state: BreakerState, now: Int64) -> BreakerTransition? {
        guard state != self.state else { return nil }
        let transition = BreakerTransition(from: self.state, to: state)
        self.state = state
        self.since = now
        return transition
    }
}

extension CircuitBreaker {
    /// Lets an operator's manual refresh through an open breaker as its half-open probe.
    public mutating func forceHalfOpen(now: Int64) -> BreakerTransition? {
        guard self.state == .open else { return nil }
        return self.move(to: .halfOpen, now: now)
    }
}
