import Crypto
import Primitives

/// A Lua script for `EVALSHA`: its source and the SHA-1 Redis knows it by.
///
/// ``RedisClient/evalSHA(_:keys:arguments:)`` sends `EVALSHA` with ``sha1``; when the server answers
/// `NOSCRIPT` (a restart, a failover, `SCRIPT FLUSH`), it loads ``source`` with `SCRIPT LOAD` and sends
/// `EVALSHA` again, so callers never handle a missing script.
public struct RedisScript: Sendable, Hashable {
    /// The Lua source.
    public let source: String
    /// The lower-case hex SHA-1 of ``source``, as `SCRIPT LOAD` returns it.
    public let sha1: String

    public init(_ source: String) {
        self.source = source
        self.sha1 = Hex.encode(Insecure.SHA1.hash(data: Array(source.utf8)))
    }
}
