import Foundation
import Primitives

extension Secret {
    /// How a secret URL (a webhook, a Slack incoming hook) may be shown: its host and the secret's
    /// fingerprint, e.g. `hooks.slack.com secret(sha256:1a2b3c4d)`; the path and query (where the
    /// token is) never.
    public var redactedURL: String {
        "\(self.host) \(self.description)"
    }

    /// The URL's host, or `"unknown-host"`.
    var host: String { URLComponents(string: self.revealed)?.host ?? "unknown-host" }
}
