import AsyncHTTPClient
import Foundation
import Primitives

/// Triggers and resolves PagerDuty incidents with the Events API v2.
///
/// Each alert is one event: `trigger` while firing, `resolve` once resolved, both with the
/// `dedup_key` `oauthtop-<fingerprint>`, so the resolve closes the incident its trigger opened,
/// whichever process sent it. The routing key is a secret and never shown.
public struct PagerDutyNotifier: Notifier {
    /// The Events API v2 endpoint.
    public static let defaultURL = "https://events.pagerduty.com/v2/enqueue"

    public let name: String
    private let routingKey: Secret
    private let url: String
    private let source: String
    private let poster: HTTPPoster

    /// - Parameters:
    ///   - name: The notifier's name.
    ///   - routingKey: The integration's routing key.
    ///   - url: The events endpoint (tests point it at loopback).
    ///   - source: The `payload.source` PagerDuty shows; the host name by default.
    ///   - httpClient: The client to post with.
    ///   - timeout: The longest one request may take.
    public init(
        name: String,
        routingKey: Secret,
        url: String = PagerDutyNotifier.defaultURL,
        source: String = ProcessInfo.processInfo.hostName,
        httpClient: HTTPClient,
        timeout: Duration = .seconds(10)
    ) {
        self.name = name
        self.routingKey = routingKey
        self.url = url
        self.source = source
        self.poster = HTTPPoster(client: httpClient, notifier: name, timeout: timeout)
    }

    public func deliver(_ batch: [AlertNotification]) async throws {
        for alert in batch {
            let body = try JSONPayload.encode(self.event(for: alert), notifier: self.name)
            try await self.poster.post(url: self.url, body: body)
        }
    }

    /// The stable incident key of an alert.
    public static func dedupKey(for alert: AlertNotification) -> String {
        "oauthtop-" + alert.fingerprint
    }

    /// PagerDuty's severity for an alert's `severity` label: critical, error, warning or info.
    public static func severity(for alert: AlertNotification) -> String {
        switch alert.severity?.lowercased() {
        case "critical", "page", "fatal", "emergency": return "critical"
        case "error", "high", "major": return "error"
        case "warning", "warn", "medium", "minor": return "warning"
        default: return "info"
        }
    }

    func event(for alert: AlertNotification) -> Event {
        var details = alert.labels.merging(alert.annotations) { label, _ in label }
        details["fingerprint"] = alert.fingerprint
        if let value = alert.value { details["value"] = JSONPayload.value(value) }
        let summary = alert.annotations["summary"].map { "\(alert.alertName): \($0)" } ?? alert.alertName
        return Event(
            routingKey: self.routingKey.revealed,
            eventAction: alert.status == .firing ? "trigger" : "resolve",
            dedupKey: Self.dedupKey(for: alert),
            payload: Payload(
                summary: String(summary.prefix(1024)),
                source: self.source,
                severity: Self.severity(for: alert),
                timestamp: JSONPayload.timestamp(alert.startsAt),
                component: "oauthtop",
                customDetails: details
            ),
            client: "oauthtop",
            clientURL: alert.generatorURL
        )
    }

    struct Event: Encodable {
        let routingKey: String
        let eventAction: String
        let dedupKey: String
        let payload: Payload
        let client: String
        let clientURL: String?

        enum CodingKeys: String, CodingKey {
            case routingKey = "routing_key", eventAction = "event_action", dedupKey = "dedup_key"
            case payload, client, clientURL = "client_url"
        }
    }

    struct Payload: Encodable {
        let summary: String
        let source: String
        let severity: String
        let timestamp: String
        let component: String
        let customDetails: [String: String]

        enum CodingKeys: String, CodingKey {
            case summary, source, severity, timestamp, component, customDetails = "custom_details"
        }
    }
}
