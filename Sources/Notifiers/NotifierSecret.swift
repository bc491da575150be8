import Crypto
import Foundation

/// A secret in a notifier's settings: a webhook URL, a routing key, a header value.
///
/// It prints as `secret(sha256:xxxxxxxx)` (the first 8 hex digits of its SHA-256, as TokenManager's
/// `Secret` does), so settings can be logged; `revealed` is read only where the value is sent.
public struct NotifierSecret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The secret's value. Call sites that read it must never log or print it.
    public let revealed: String

    public init(_ value: String) {
        self.revealed = value
    }

    /// First 8 hex digits of the SHA-256 of the value.
    public var fingerprint: String {
        SHA256.hash(data: Data(self.revealed.utf8)).prefix(4).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    public var description: String { "secret(sha256:\(self.fingerprint))" }
    public var debugDescription: String { self.description }
    public var customMirror: Mirror { Mirror(self, children: ["fingerprint": self.fingerprint]) }

    /// How a secret URL may be shown: its host and the secret's fingerprint, e.g.
    /// `hooks.slack.com secret(sha256:1a2b3c4d)`; the path and query (where the token is) never.
    public var redactedURL: String {
        let host = URLComponents(string: self.revealed)?.host ?? "unknown-host"
        return "\(host) \(self.description)"
    }

    /// The URL's host, or `"unknown-host"`.
    var host: String { URLComponents(string: self.revealed)?.host ?? "unknown-host" }
}
