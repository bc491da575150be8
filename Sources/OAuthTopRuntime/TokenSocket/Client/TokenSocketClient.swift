import AsyncHTTPClient
import Dashboard
import Foundation
import NIOCore
import NIOHTTP1

/// A client of the daemon's token socket: what `oauthtop token`, `status` and `refresh` use, and what
/// any other process of the project asks for tokens with.
///
/// ```swift
/// let client = TokenSocketClient(endpoint: .unix(TokenSocketPath.forClient(explicit: nil, environment: env)))
/// let token = try await client.token(provider: "github")
/// request.headers.add(name: "Authorization", value: "\(token.tokenType) \(token.accessToken.revealed)")
/// ```
public struct TokenSocketClient: Sendable {
    public let endpoint: TokenSocketEndpoint
    private let httpClient: HTTPClient
    private let timeout: Duration

    /// Creates a client.
    ///
    /// - Parameters:
    ///   - endpoint: The daemon's socket or TCP listener.
    ///   - httpClient: The HTTP client; by default AsyncHTTPClient's shared one (never shut down).
    ///   - timeout: How long one call may take, a refresh included.
    public init(endpoint: TokenSocketEndpoint, httpClient: HTTPClient = .shared, timeout: Duration = .seconds(120)) {
        self.endpoint = endpoint
        self.httpClient = httpClient
        self.timeout = timeout
    }

    /// A currently valid token of `provider` (waiting for a refresh in flight).
    ///
    /// - Throws: ``TokenSocketClientError``: `.noDaemon`, `.server` with status 404 (unknown provider)
    ///   or 503 (refresh failed, with the daemon's message), ...
    public func token(provider: String) async throws(TokenSocketClientError) -> SocketToken {
        let (status, body) = try await self.send(.GET, "/v1/token/\(provider)")
        guard status == 200 else { throw .server(status: status, body: Self.decodeError(body)) }
        return try Self.decode(SocketToken.self, body)
    }

    /// The daemon's providers, alerts and consumers.
    public func status() async throws(TokenSocketClientError) -> SocketStatus {
        let (status, body) = try await self.send(.GET, "/v1/status")
        guard status == 200 else { throw .server(status: status, body: Self.decodeError(body)) }
        return try Self.decode(SocketStatus.self, body)
    }

    /// What the daemon's dashboard shows apart from panels: providers, consumers, alerts, recent events.
    public func dashboard() async throws(TokenSocketClientError) -> DashboardSnapshot {
        let (status, body) = try await self.send(.GET, "/v1/dashboard")
        guard status == 200 else { throw .server(status: status, body: Self.decodeError(body)) }
        let snapshot = try Self.decode(DashboardSnapshot.self, body)
        do {
            return try snapshot.validated()
        } catch {
            throw .badResponse("the dashboard answer's \(error)")
        }
    }

    /// Refreshes `provider` now (every provider when `nil`), as the dashboard's `r` does.
    ///
    /// - Returns: The outcome of each refresh, failures included (check ``SocketRefreshOutcome/succeeded``).
    /// - Throws: ``TokenSocketClientError`` when there is no outcome: no daemon, an unknown provider (404).
    public func refresh(provider: String?) async throws(TokenSocketClientError) -> SocketRefreshOutcome {
        let (status, body) = try await self.send(.POST, provider.map { "/v1/refresh/\($0)" } ?? "/v1/refresh")
        guard status == 200 || status == 503, let outcome = try? Self.decode(SocketRefreshOutcome.self, body) else {
            throw .server(status: status, body: Self.decodeError(body))
        }
        return outcome
    }

    /// Sends a request; returns the status and body.
    private func send(_ method: HTTPMethod, _ path: String) async throws(TokenSocketClientError) -> (Int, [UInt8]) {
        if case .unix(let socket) = self.endpoint.kind, !FileManager.default.fileExists(atPath: socket) {
            throw .noDaemon(self.endpoint)
        }
        var request = HTTPClientRequest(url: self.endpoint.url(path))
        request.method = method
        if case .tcp(_, let secret) = self.endpoint.kind {
            request.headers.add(name: "Authorization", value: secret.authorizationHeader)
        }
        do {
            let timeout = TimeAmount.nanoseconds(self.timeout.nanosecondsClamped)
            let response = try await self.httpClient.execute(request, timeout: timeout)
            let body = try await response.body.collect(upTo: 4 * 1024 * 1024)
            return (Int(response.status.code), Array(buffer: body))
        } catch {
            if case .unix(let socket) = self.endpoint.kind, !TokenSocketPath.isListening(socket) {
                throw .noDaemon(self.endpoint)
            }
            if case .tcp = self.endpoint.kind, "\(error)".lowercased().contains("refused") {
                throw .noDaemon(self.endpoint)
            }
            throw .connection(self.endpoint, "\(error)")
        }
    }

    private static func decode<T: Decodable>(_ type: T.Type, _ body: [UInt8]) throws(TokenSocketClientError) -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(body))
        } catch {
            throw .badResponse("expected \(type) JSON (\(body.count) bytes)")
        }
    }

    private static func decodeError(_ body: [UInt8]) -> SocketErrorBody? {
        try? JSONDecoder().decode(SocketErrorBody.self, from: Data(body))
    }
}

extension Duration {
    /// Nanoseconds, clamped to `Int64`.
    fileprivate var nanosecondsClamped: Int64 {
        let (seconds, attoseconds) = self.components
        guard seconds < Int64.max / 1_000_000_000 else { return .max }
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
