import AsyncHTTPClient
import Foundation

/// Sends alerts to Prometheus Alertmanager with its API v2: `POST {base}/api/v2/alerts`, a JSON
/// array of `{labels, annotations, startsAt, endsAt, generatorURL}` with RFC 3339 times.
///
/// Alertmanager treats an alert as resolved once `endsAt` passes, so a firing alert must be re-sent
/// periodically, as Prometheus does: this notifier wants re-sends. The URL is not a secret.
public struct AlertmanagerNotifier: Notifier {
    public let name: String
    public let wantsResends = true
    public let batchLimit = 64
    /// The Alertmanager base URL, e.g. `http://127.0.0.1:9093`.
    public let baseURL: String
    private let poster: HTTPPoster

    /// - Parameters:
    ///   - name: The notifier's name.
    ///   - baseURL: Alertmanager's base URL (a path prefix is kept; a trailing `/` is ignored).
    ///   - httpClient: The client to post with.
    ///   - timeout: The longest one request may take.
    public init(name: String, baseURL: String, httpClient: HTTPClient, timeout: Duration = .seconds(10)) {
        self.name = name
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.poster = HTTPPoster(client: httpClient, notifier: name, timeout: timeout)
    }

    public func deliver(_ batch: [AlertNotification]) async throws {
        let body = try JSONPayload.encode(batch.map(PostableAlert.init), notifier: self.name)
        try await self.poster.post(url: self.baseURL + "/api/v2/alerts", body: body)
    }

    /// One element of Alertmanager's `postableAlerts`.
    struct PostableAlert: Encodable {
        let labels: [String: String]
        let annotations: [String: String]
        let startsAt: String
        let endsAt: String?
        let generatorURL: String?

        init(_ alert: AlertNotification) {
            self.labels = alert.labels
            self.annotations = alert.annotations
            self.startsAt = JSONPayload.timestamp(alert.startsAt)
            self.endsAt = alert.endsAt.map(JSONPayload.timestamp)
            self.generatorURL = alert.generatorURL
        }
    }
}
