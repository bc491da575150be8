import Foundation
import Primitives

/// Prints each alert as one JSON object per line: the headless default.
///
/// A line is `{"annotations":{...},"endsAt":...,"fingerprint":"...","generatorURL":...,"labels":{...},
/// "notifier":"out","startsAt":"...","status":"firing","value":...}` with sorted keys.
public struct StdoutNotifier: Notifier {
    public let name: String
    public let batchLimit = 1000
    private let writer: JSONLineWriter

    /// - Parameters:
    ///   - name: The notifier's name.
    ///   - writer: Where lines go; standard output by default.
    public init(name: String = "stdout", writer: JSONLineWriter = JSONLineWriter()) {
        self.name = name
        self.writer = writer
    }

    public func deliver(_ batch: [AlertNotification]) async throws {
        for alert in batch {
            let data = try JSONPayload.encode(Line(alert, notifier: self.name), notifier: self.name)
            self.writer.emit(String(decoding: data, as: UTF8.self))
        }
    }

    struct Line: Encodable {
        let status: String
        let labels: [String: String]
        let annotations: [String: String]
        let startsAt: String
        let endsAt: String?
        let generatorURL: String?
        let value: Double?
        let fingerprint: String
        let notifier: String

        init(_ alert: AlertNotification, notifier: String) {
            self.status = alert.status.rawValue
            self.labels = alert.labels
            self.annotations = alert.annotations
            self.startsAt = JSONPayload.timestamp(alert.startsAt)
            self.endsAt = alert.endsAt.map(JSONPayload.timestamp)
            self.generatorURL = alert.generatorURL
            self.value = alert.value.flatMap { $0.isFinite ? $0 : nil }
            self.fingerprint = alert.fingerprint
            self.notifier = notifier
        }
    }
}
