/// One transition of a provider's circuit breaker, for the detail view's breaker history.
public struct BreakerChange: Sendable, Hashable, Codable {
    /// When it changed (Unix nanoseconds).
    public var time: Int64
    public var from: BreakerStatus
    public var to: BreakerStatus

    /// Creates a change.
    public init(time: Int64, from: BreakerStatus, to: BreakerStatus) {
        self.time = time
        self.from = from
        self.to = to
    }
}
