/// The keys of one provider's fleet state, sharing one Redis Cluster hash tag so that a cluster keeps
/// them on one shard (and one Lua script may touch them all).
///
/// With the prefix `oauthtop:` and the provider `github`: `oauthtop:{github}:state`,
/// `oauthtop:{github}:lock`, `oauthtop:{github}:fence` and the channel `oauthtop:{github}:updates`.
/// Only the provider part is inside the braces, so every provider gets its own slot.
public struct CoordinationKeys: Sendable, Hashable, CustomStringConvertible {
    /// The configured prefix (`coordination.redis.key_prefix`).
    public let prefix: String
    /// The provider's configured name.
    public let provider: String

    /// - Parameters:
    ///   - prefix: Put before every key; it must not contain `{` or `}` (the configuration refuses them),
    ///     which would move the hash tag.
    ///   - provider: The provider's name (letters, digits, `_`, `.`, `-`).
    public init(prefix: String = CoordinationKeys.defaultPrefix, provider: String) {
        self.prefix = prefix
        self.provider = provider
    }

    /// `oauthtop:`.
    public static let defaultPrefix = "oauthtop:"

    /// The hash tag, `{provider}`.
    public var hashTag: String { "{\(self.provider)}" }
    /// The sealed token state.
    public var state: String { self.key("state") }
    /// The lock; its value names the holder (``LockOwner``).
    public var lock: String { self.key("lock") }
    /// The fence counter, incremented on every lock grant.
    public var fence: String { self.key("fence") }
    /// The channel on which a holder announces a new generation.
    public var channel: String { self.key("updates") }

    private func key(_ suffix: String) -> String { "\(self.prefix)\(self.hashTag):\(suffix)" }

    public var description: String { "\(self.prefix)\(self.hashTag)" }
}
