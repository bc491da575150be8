import TokenManager

/// An event of the running program, as the event log and the JSON event stream hold it: from the token
/// manager or from the alert evaluation.
public enum RuntimeEvent: Sendable {
    case token(TokenEvent)
    case alert(AlertEvent)

    /// Unix nanoseconds.
    public var timestamp: Int64 {
        switch self {
        case .token(let event): event.timestamp
        case .alert(let event): event.timestamp
        }
    }
}
