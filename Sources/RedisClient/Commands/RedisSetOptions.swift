/// The conditions and expiry of a `SET`.
///
/// ```swift
/// // SET lock owner NX PX 30000
/// try await redis.set("lock", to: owner, options: .ifAbsent(expiringAfter: .seconds(30)))
/// ```
public struct RedisSetOptions: Sendable, Hashable {
    /// When the `SET` happens.
    public struct Condition: Sendable, Hashable {
        let word: String?
        /// Always (no flag).
        public static let always = Condition(word: nil)
        /// Only when the key does not exist (`NX`).
        public static let ifAbsent = Condition(word: "NX")
        /// Only when the key exists (`XX`).
        public static let ifPresent = Condition(word: "XX")
    }

    /// When the `SET` happens.
    public var condition: Condition
    /// The key's time to live, sent as `PX` milliseconds (at least 1); `nil` for no expiry.
    public var expiry: Duration?

    public init(condition: Condition = .always, expiry: Duration? = nil) {
        self.condition = condition
        self.expiry = expiry
    }

    /// `SET key value` with no condition and no expiry.
    public static let none = RedisSetOptions()

    /// `NX`, with `PX` when `expiry` is given: the shape of a lock.
    public static func ifAbsent(expiringAfter expiry: Duration? = nil) -> RedisSetOptions {
        RedisSetOptions(condition: .ifAbsent, expiry: expiry)
    }

    /// `PX` only.
    public static func expiring(after expiry: Duration) -> RedisSetOptions {
        RedisSetOptions(expiry: expiry)
    }

    var arguments: [RESPArgument] {
        var arguments: [RESPArgument] = []
        if let word = self.condition.word { arguments.append(RESPArgument(word)) }
        if let expiry = self.expiry {
            arguments.append("PX")
            arguments.append(RESPArgument(max(expiry.milliseconds, 1)))
        }
        return arguments
    }
}
