import Crypto

/// A secret value (client secret, refresh or access token, a notifier's webhook URL) that never prints
/// itself.
///
/// `description`, `debugDescription`, string interpolation and `dump` all show only a short
/// fingerprint: the first 8 hex digits of the value's SHA-256. Read the value itself through
/// ``revealed`` at the one place that must send it.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The secret's value. Call sites that read it must never log or print it.
    public let revealed: String

    public init(_ value: String) {
        self.revealed = value
    }

    /// First 8 hex digits of the SHA-256 of the value.
    public var fingerprint: String { Secret.fingerprint(of: self.revealed) }

    public var description: String { "secret(sha256:\(self.fingerprint))" }
    public var debugDescription: String { self.description }
    public var customMirror: Mirror { Mirror(self, children: ["fingerprint": self.fingerprint]) }

    /// First 8 hex digits of the SHA-256 of `value`: the one fingerprint helper, for values that are
    /// not held in a ``Secret`` (a refresh token presented to the demo identity provider).
    public static func fingerprint(of value: String) -> String {
        let digest = SHA256.hash(data: Array(value.utf8))
        return Hex.encode(digest.prefix(4))
    }
}
