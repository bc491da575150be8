import AsyncHTTPClient
import Foundation
import Primitives

/// Posts alerts to any HTTP endpoint as a JSON document shaped like Alertmanager's webhook
/// payload: `{"version":"4","status","receiver","groupLabels","commonLabels","commonAnnotations",
/// "alerts":[{"status","labels","annotations","startsAt","endsAt","generatorURL","fingerprint"}]}`.
///
/// The URL and the extra header values are secrets: only the host and fingerprints are shown.
public struct WebhookNotifier: Notifier {
    public let name: String
    public let batchLimit = 64
    private let url: Secret
    private let headers: [String: Secret]
    private let poster: HTTPPoster

    /// - Parameters:
    ///   - name: The notifier's name, sent as `receiver`.
    ///   - url: The endpoint.
    ///   - headers: Extra request headers (e.g. `Authorization`); values are secrets.
    ///   - httpClient: The client to post with.
    ///   - timeout: The longest one request may take.
    public init(
        name: String,
        url: Secret,
        headers: [String: Secret] = [:],
        httpClient: HTTPClient,
        timeout: Duration = .seconds(10)
    ) {
        self.name = name
        self.url = url
        self.headers = headers
        self.poster = HTTPPoster(client: httpClient, notifier: name, timeout: timeout)
    }

    public func deliver(_ batch: [AlertNotification]) async throws {
        let body = try JSONPayload.encode(Self.document(for: batch, receiver: self.name), notifier: self.name)
        let headers = self.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value.revealed) }
        try await self.poster.post(url: self.url.revealed, body: body, headers: headers)
    }

    static func document(for batch: [AlertNotification], receiver: String) -> Document {
        let common = { (maps: [[String: String]]) -> [String: String] in
            guard var result = maps.first else { return [:] }
            for map in maps.dropFirst() {
                result = result.filter { map[$0.key] == $0.value }
            }
            return result
        }
        let commonLabels = common(batch.map(\.labels))
        return Document(
            version: "4",
            status: batch.contains { $0.status == .firing } ? "firing" : "resolved",
            receiver: receiver,
            groupLabels: commonLabels["alertname"].map { ["alertname": $0] } ?? [:],
            commonLabels: commonLabels,
            commonAnnotations: common(batch.map(\.annotations)),
            alerts: batch.map(Alert.init)
        )
    }

    struct Document: Encodable {
        let version: String
        let status: String
        let receiver: String
        let groupLabels: [String: String]
        let commonLabels: [String: String]
        let commonAnnotations: [String: String]
        let alerts: [Alert]
    }

    struct Alert: Encodable {
        let status: String
        let labels: [String: String]
        let annotations: [String: String]
        let startsAt: String
        let endsAt: String?
        let generatorURL: String?
        let fingerprint: String
        let value: Double?

        init(_ alert: AlertNotification) {
            self.status = alert.status.rawValue
            self.labels = alert.labels
            self.annotations = alert.annotations
            self.startsAt = JSONPayload.timestamp(alert.startsAt)
            self.endsAt = alert.endsAt.map(JSONPayload.timestamp)
            self.generatorURL = alert.generatorURL
            self.fingerprint = alert.fingerprint
            self.value = alert.value.flatMap { $0.isFinite ? $0 : nil }
        }
    }
}
