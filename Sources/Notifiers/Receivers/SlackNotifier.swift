import AsyncHTTPClient
import Foundation
import Primitives

/// Posts each alert to a Slack incoming webhook: a `text` line for notifications and an
/// attachment coloured by status and severity with the alert's name, severity, summary,
/// description and value.
///
/// The webhook URL is a secret (its path is the token): it is shown only as host and fingerprint.
public struct SlackNotifier: Notifier {
    public let name: String
    private let url: Secret
    private let poster: HTTPPoster

    /// - Parameters:
    ///   - name: The notifier's name.
    ///   - url: The incoming-webhook URL.
    ///   - httpClient: The client to post with.
    ///   - timeout: The longest one request may take.
    public init(name: String, url: Secret, httpClient: HTTPClient, timeout: Duration = .seconds(10)) {
        self.name = name
        self.url = url
        self.poster = HTTPPoster(client: httpClient, notifier: name, timeout: timeout)
    }

    public func deliver(_ batch: [AlertNotification]) async throws {
        for alert in batch {
            let body = try JSONPayload.encode(Self.message(for: alert), notifier: self.name)
            try await self.poster.post(url: self.url.revealed, body: body)
        }
    }

    /// The colour of an alert's attachment: green when resolved, red for critical, orange for
    /// warning, grey-blue otherwise.
    public static func color(for alert: AlertNotification) -> String {
        if alert.status == .resolved { return "#2eb886" }
        switch alert.severity?.lowercased() {
        case "critical", "page", "error": return "#d00000"
        case "warning", "warn": return "#f2a900"
        default: return "#439fe0"
        }
    }

    static func message(for alert: AlertNotification) -> Message {
        let status = alert.status == .firing ? "FIRING" : "RESOLVED"
        let severity = alert.severity ?? "none"
        let summary = alert.annotations["summary"]
        var fields = [Field(title: "Severity", value: severity, short: true)]
        if let value = alert.value {
            fields.append(Field(title: "Value", value: JSONPayload.value(value), short: true))
        }
        var text = "[\(status)] \(alert.alertName)"
        if let summary { text += ": \(summary)" }
        return Message(
            text: text,
            attachments: [
                Attachment(
                    color: self.color(for: alert),
                    title: "[\(status)] \(alert.alertName) (\(severity))",
                    text: alert.annotations["description"] ?? summary ?? "",
                    fields: fields,
                    footer: "oauthtop",
                    ts: Int64(alert.status == .resolved ? (alert.endsAt ?? alert.startsAt).timeIntervalSince1970
                        : alert.startsAt.timeIntervalSince1970)
                )
            ]
        )
    }

    struct Message: Encodable {
        let text: String
        let attachments: [Attachment]
    }

    struct Attachment: Encodable {
        let color: String
        let title: String
        let text: String
        let fields: [Field]
        let footer: String
        let ts: Int64
    }

    struct Field: Encodable {
        let title: String
        let value: String
        let short: Bool
    }
}
