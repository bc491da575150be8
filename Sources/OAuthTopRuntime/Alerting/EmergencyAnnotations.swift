import Alerting
import Dashboard
import OAuthTopConfig
import Primitives
import TokenManager

/// What a notification of the emergency alert (`oauth_emergency_mode`, built in or a rule file's own of that
/// name) says beyond its rule's annotations: each method's error, taken from the provider's emergency status
/// when the notification is made.
///
/// Rules cannot template it (the alert's value is just the gauge's 1), so the runtime adds two annotations to
/// a firing notification whose `provider` is in emergency mode, unless the rule sets them itself:
/// - `tried`: one line per method, OAuth first: `1) OAuth (breaker_open): provider 'github': ...`;
/// - `description`: `no method gives github a token since 2026-...Z; tried: 1) ...; 2) ...`, the text Slack
///   shows.
/// Nothing in either is a secret: entries are named by fingerprint, details are the manager's error messages.
public enum EmergencyAnnotations {
    /// `alert`'s annotations with the emergency ones added, when it is a firing emergency alert of a provider
    /// in emergency mode; else `alert.annotations` as they are.
    ///
    /// - Parameters:
    ///   - status: The emergency status of a provider by name (the manager's snapshot).
    public static func annotations(
        of alert: Alert, status: (String) -> EmergencyStatus?
    ) -> [String: String] {
        var annotations = alert.annotations
        guard alert.name == DefaultRules.emergencyAlertName, alert.state != .inactive else { return annotations }
        let provider = alert.labels["provider"]
        guard !provider.isEmpty, let emergency = status(provider), !emergency.tried.isEmpty else { return annotations }
        let lines = emergency.tried.enumerated().map { "\($0.offset + 1)) \(EmergencyRow.Attempt($0.element).summary)" }
        if annotations["tried"] == nil { annotations["tried"] = lines.joined(separator: "\n") }
        if annotations["description"] == nil {
            annotations["description"] = "no method gives \(provider) a token since "
                + RFC3339.seconds(unixNanoseconds: emergency.since) + "; tried: " + lines.joined(separator: "; ")
        }
        return annotations
    }
}
