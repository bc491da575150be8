import Alerting
import AsyncHTTPClient
import Dashboard
import Foundation
import NIOCore
import NIOHTTP1
import Primitives

/// Answers the dashboard's panel queries, and reads alerts, over Prometheus's HTTP API v1: from a Prometheus
/// server (`http://127.0.0.1:9090`, or a base with a path prefix behind a proxy) or from a running oauthtop
/// daemon's token socket, which serves the same API (`/api/v1/query`, `/api/v1/query_range`, `/api/v1/alerts`).
///
/// Queries are sent as `POST` forms, as Grafana does (no URL length limit); times and steps as float seconds.
///
/// ```swift
/// let fleet = try PrometheusQueryClient(baseURL: "http://127.0.0.1:9090")
/// let series = try await fleet.queryRange("max by (instance, provider) (oauth_token_expires_in_seconds)",
///                                         start: now - 300_000, end: now, step: 5_000)
/// let daemon = PrometheusQueryClient(endpoint: .unix(socketPath))
/// let rows = try await daemon.alertRows()
/// ```
public struct PrometheusQueryClient: PanelQuerySource, CustomStringConvertible {
    private enum Target: Sendable {
        /// `http(s)://host:port[/prefix]` without a trailing slash.
        case server(base: String)
        /// A daemon's token socket (Unix, or TCP with its bearer secret).
        case daemon(TokenSocketEndpoint)
    }

    private let target: Target
    private let headers: [(name: String, value: String)]
    private let httpClient: HTTPClient
    private let timeout: Duration
    /// The largest answer read (a week of 1 s steps over many series stays far below).
    public static let maxAnswerBytes = 64 * 1024 * 1024

    /// The default HTTP client: AsyncHTTPClient's shared configuration, except that a refused connection fails the
    /// request at once (the shared client retries until the request's deadline, which would hold a dashboard's
    /// frame of a dozen queries for minutes while Prometheus is down). Shared and never shut down.
    public static let failFastHTTPClient: HTTPClient = {
        var configuration = HTTPClient.Configuration.singletonConfiguration
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    /// A client of a Prometheus server (or anything serving its API: Thanos, Mimir, VictoriaMetrics, a daemon's TCP
    /// listener given as a URL).
    ///
    /// - Parameters:
    ///   - baseURL: `http://HOST:PORT`, optionally with a path prefix (`http://host/prometheus`); `/api/v1/...` is
    ///     appended.
    ///   - headers: Sent with every request (e.g. `Authorization`); never logged and never in an error.
    ///   - httpClient: The HTTP client; by default ``failFastHTTPClient``.
    ///   - timeout: How long one request may take.
    /// - Throws: ``PrometheusAPIError`` (`badURL`) when `baseURL` is not an `http` or `https` URL with a host.
    public init(
        baseURL: String,
        headers: [(name: String, value: String)] = [],
        httpClient: HTTPClient = PrometheusQueryClient.failFastHTTPClient,
        timeout: Duration = .seconds(10)
    ) throws(PrometheusAPIError) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        guard let url = URL(string: base), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty, url.query == nil, url.fragment == nil
        else {
            throw PrometheusAPIError.badURL(baseURL)
        }
        self.target = .server(base: base)
        self.headers = headers
        self.httpClient = httpClient
        self.timeout = timeout
    }

    /// A client of a running daemon's token socket (its Unix socket, or its TCP listener with the bearer secret).
    ///
    /// - Parameters:
    ///   - endpoint: Where the daemon listens (``TokenSocketEndpoint/unix(_:)``,
    ///     ``TokenSocketEndpoint/tcp(baseURL:secret:)``).
    ///   - headers: Further headers for every request.
    ///   - httpClient: The HTTP client; by default ``failFastHTTPClient``.
    ///   - timeout: How long one request may take.
    public init(
        endpoint: TokenSocketEndpoint,
        headers: [(name: String, value: String)] = [],
        httpClient: HTTPClient = PrometheusQueryClient.failFastHTTPClient,
        timeout: Duration = .seconds(10)
    ) {
        self.target = .daemon(endpoint)
        self.headers = headers
        self.httpClient = httpClient
        self.timeout = timeout
    }

    /// Where the client asks: the base URL or the daemon's socket.
    public var description: String {
        switch self.target {
        case .server(let base): base
        case .daemon(let endpoint): endpoint.description
        }
    }

    // MARK: PanelQuerySource

    public func queryRange(_ query: String, start: Int64, end: Int64, step: Int64) async throws -> [RangeSeries] {
        try await self.queryRangeResponse(query, start: start, end: end, step: step).result.series
    }

    public func query(_ query: String, at time: Int64) async throws -> [VectorElement] {
        try await self.queryResponse(query, at: time).result.elements
    }

    // MARK: The API

    /// `/api/v1/query_range`: `query` at `start, start + step, ...` up to `end` (milliseconds).
    ///
    /// - Returns: The result (a matrix) with the server's warnings and infos.
    /// - Throws: ``PrometheusAPIError``: `server` with Prometheus's `errorType` (`bad_data` for a query that does
    ///   not parse, `execution` for one that fails), `connection`, `timeout`, `http`, `notJSON`, `badShape`.
    public func queryRangeResponse(
        _ query: String, start: Int64, end: Int64, step: Int64
    ) async throws(PrometheusAPIError) -> PrometheusQueryResponse {
        let form: [(String, String)] = [
            ("query", query), ("start", PrometheusAPIEncoder.timestamp(start)),
            ("end", PrometheusAPIEncoder.timestamp(end)), ("step", PrometheusAPIEncoder.timestamp(step)),
        ]
        let (url, status, answer) = try await self.send("/api/v1/query_range", form: form)
        do {
            return try PrometheusAPIDecoder.query(answer.readableBytesView)
        } catch {
            throw error.at(url: url, status: status)
        }
    }

    /// `/api/v1/query`: `query` at `time` (milliseconds).
    ///
    /// - Throws: ``PrometheusAPIError`` as ``queryRangeResponse(_:start:end:step:)`` does.
    public func queryResponse(
        _ query: String, at time: Int64
    ) async throws(PrometheusAPIError) -> PrometheusQueryResponse {
        let (url, status, answer) = try await self.send(
            "/api/v1/query", form: [("query", query), ("time", PrometheusAPIEncoder.timestamp(time))]
        )
        do {
            return try PrometheusAPIDecoder.query(answer.readableBytesView)
        } catch {
            throw error.at(url: url, status: status)
        }
    }

    /// `/api/v1/alerts`: the pending and firing alerts of the server's rules.
    ///
    /// - Throws: ``PrometheusAPIError`` as ``queryRangeResponse(_:start:end:step:)`` does.
    public func alerts() async throws(PrometheusAPIError) -> PrometheusAlertsResponse {
        let (url, status, answer) = try await self.send("/api/v1/alerts", form: nil)
        do {
            return try PrometheusAPIDecoder.alerts(answer.readableBytesView)
        } catch {
            throw error.at(url: url, status: status)
        }
    }

    /// The alerts as the dashboard lists them: firing first, then by the time they became active. A fleet's alert
    /// names its instance in the summary when the rule's annotations do not.
    public func alertRows() async throws(PrometheusAPIError) -> [AlertRow] {
        try await self.alerts().alerts
            .filter { $0.state != .inactive }
            .map(AlertRow.init)
            .sorted { ($0.state == .firing ? 0 : 1, $0.since) < ($1.state == .firing ? 0 : 1, $1.since) }
    }

    // MARK: Sending

    /// Sends a `POST` form (or a `GET` when `form` is `nil`); returns the URL as errors name it, the status and the
    /// body of a 200, or throws the error the answer carries.
    private func send(
        _ path: String, form: [(String, String)]?
    ) async throws(PrometheusAPIError) -> (String, Int, ByteBuffer) {
        let url: String
        let shown: String
        switch self.target {
        case .server(let base):
            url = base + path
            shown = url
        case .daemon(let endpoint):
            url = endpoint.url(path)
            shown = "\(endpoint)\(path)"
            if case .unix(let socket) = endpoint.kind, !FileManager.default.fileExists(atPath: socket) {
                throw PrometheusAPIError.connection("no oauthtop daemon at \(socket)").at(url: shown)
            }
        }
        var request = HTTPClientRequest(url: url)
        if let form {
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            let body = Primitives.FormEncoding.encode(form)
            request.body = .bytes(ByteBuffer(string: body))
        } else {
            request.method = .GET
        }
        request.headers.add(name: "Accept", value: "application/json")
        if case .daemon(let endpoint) = self.target, case .tcp(_, let secret) = endpoint.kind {
            request.headers.add(name: "Authorization", value: secret.authorizationHeader)
        }
        for header in self.headers { request.headers.replaceOrAdd(name: header.name, value: header.value) }
        let status: Int
        let body: ByteBuffer
        do {
            let (seconds, attoseconds) = self.timeout.components
            let nanoseconds =
                seconds >= Int64.max / 1_000_000_000
                ? Int64.max : seconds * 1_000_000_000 + attoseconds / 1_000_000_000
            let response = try await self.httpClient.execute(request, timeout: .nanoseconds(nanoseconds))
            status = Int(response.status.code)
            body = try await response.body.collect(upTo: Self.maxAnswerBytes)
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            let (seconds, attoseconds) = self.timeout.components
            throw PrometheusAPIError.timeout(Double(seconds) + Double(attoseconds) / 1e18).at(url: shown)
        } catch is NIOTooManyBytesError {
            throw PrometheusAPIError.connection("the answer is larger than \(Self.maxAnswerBytes) bytes").at(url: shown)
        } catch {
            throw PrometheusAPIError.connection("\(error)").at(url: shown)
        }
        guard status == 200 else {
            let bytes = body.readableBytesView
            if let error = PrometheusAPIDecoder.error(bytes) { throw error.at(url: shown, status: status) }
            throw PrometheusAPIError.http(status: status, body: String(decoding: bytes, as: UTF8.self)).at(url: shown)
        }
        return (shown, status, body)
    }
}
