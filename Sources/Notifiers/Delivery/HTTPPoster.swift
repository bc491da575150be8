import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Primitives

/// Posts one JSON document and turns the answer into success or a `NotifierError`.
///
/// Errors name the notifier and the host only: notifier URLs often carry their secret in the path
/// or query (Slack, webhooks), so neither appears in a message.
struct HTTPPoster: Sendable {
    let client: HTTPClient
    let notifier: String
    /// An upper bound for one request; the dispatcher's per-attempt timeout usually ends it first.
    let timeout: Duration

    /// Posts `body` to `url` with `headers` (values may be secrets; they are sent, never shown).
    func post(url: String, body: Data, headers: [(String, String)] = []) async throws(NotifierError) {
        let host = URLComponents(string: url)?.host ?? "unknown-host"
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "oauthtop")
        for (name, value) in headers {
            request.headers.replaceOrAdd(name: name, value: value)
        }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response: HTTPClientResponse
        do {
            response = try await self.client.execute(
                request,
                timeout: .nanoseconds(self.timeout.nanoseconds)
            )
            // Read (and discard) the answer so the connection can be reused.
            _ = try await response.body.collect(upTo: 64 * 1024)
        } catch let error as HTTPClientError where error == .deadlineExceeded {
            throw .timeout(notifier: self.notifier, after: self.timeout)
        } catch is CancellationError {
            throw .timeout(notifier: self.notifier, after: self.timeout)
        } catch {
            throw .transport(notifier: self.notifier, host: host, reason: Self.reason(error))
        }
        guard (200...299).contains(response.status.code) else {
            throw .httpStatus(
                Int(response.status.code), notifier: self.notifier, host: host,
                retryAfter: Self.retryAfter(response.headers.first(name: "Retry-After"))
            )
        }
    }

    /// `Retry-After` as delay-seconds; an HTTP date or garbage gives `nil`.
    static func retryAfter(_ value: String?) -> Duration? {
        guard let text = value?.trimmingCharacters(in: .whitespaces), let seconds = Int(text), seconds >= 0 else {
            return nil
        }
        return .seconds(min(seconds, 3600))
    }

    /// A short reason for a transport error that cannot contain the URL.
    private static func reason(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout: return "connect timeout"
            case .remoteConnectionClosed: return "connection closed by the receiver"
            case .readTimeout: return "read timeout"
            case .bodyLengthMismatch: return "body length mismatch"
            default: return "HTTP client error"
            }
        }
        let text = String(describing: error)
        if text.contains("refused") { return "connection refused" }
        return String(describing: type(of: error))
    }
}
