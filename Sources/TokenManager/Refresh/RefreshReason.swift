/// Why a refresh round started.
public struct RefreshReason: Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// No token yet (start, or the store had none).
    public static let initial = RefreshReason(rawValue: "initial")
    /// The advisory window opened; callers keep the current token meanwhile.
    public static let advisory = RefreshReason(rawValue: "advisory")
    /// The mandatory window opened, or the token expired; callers wait.
    public static let mandatory = RefreshReason(rawValue: "mandatory")
    /// A background retry after a failed round.
    public static let retry = RefreshReason(rawValue: "retry")
    /// An operator or caller asked for it.
    public static let manual = RefreshReason(rawValue: "manual")
    /// A caller reported that the provider rejected the token.
    public static let rejected = RefreshReason(rawValue: "rejected")

    public var description: String { self.rawValue }
}
