import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The AsyncHTTPClient transport: one `HTTPClient` per distinct connect timeout of the ladder,
/// since AsyncHTTPClient sets connect timeouts per client and total timeouts per request.
///
/// Connection establishment is not retried inside AsyncHTTPClient, so a refused connection is
/// reported at once and the manager can fail over instead of waiting out the connect timeout.
///
/// Requests go through AsyncHTTPClient's delegate API rather than `execute(_:timeout:)`, because only the
/// delegate hears that the request was written (`didSendRequest`): a failure after that point
/// (`deadlineExceeded`, `remoteConnectionClosed`, a reset) may have been processed by the provider and is
/// reported with ``AttemptFailure/answerLost``; a failure before it (refused, connect timeout, a pooled
/// connection found closed, a deadline passed while waiting for a connection) is not.
public final class HTTPClientTransport: TokenEndpointTransport {
    /// Largest response body read; a bigger one is a broken response.
    public static let maximumBodyBytes = 1 << 20

    private let clients: Mutex<[Int64: HTTPClient]>
    private let eventLoopGroup: any EventLoopGroup

    public init(eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.eventLoopGroup = eventLoopGroup
        self.clients = Mutex([:])
    }

    private func client(connectTimeout: Duration) -> HTTPClient {
        let key = connectTimeout.nanoseconds
        return self.clients.withLock { clients in
            if let client = clients[key] { return client }
            var configuration = HTTPClient.Configuration()
            configuration.timeout = .init(connect: .nanoseconds(key), read: nil)
            configuration.connectionPool.retryConnectionEstablishment = false
            configuration.redirectConfiguration = .disallow
            configuration.decompression = .disabled
            let client = HTTPClient(eventLoopGroupProvider: .shared(self.eventLoopGroup), configuration: configuration)
            clients[key] = client
            return client
        }
    }

    public func send(_ request: TokenEndpointRequest, timeout: TimeoutStep) async throws(AttemptFailure)
        -> TokenEndpointResponse
    {
        var headers = HTTPHeaders()
        for header in request.headers { headers.add(name: header.name, value: header.value) }
        let http: HTTPClient.Request
        do {
            let get = request.method == "GET"
            http = try HTTPClient.Request(
                url: request.url, method: get ? .GET : .POST, headers: headers, body: get ? nil : .bytes(request.body)
            )
        } catch {
            throw Self.classify(error, timeout: timeout, requestWritten: false)
        }
        let client = self.client(connectTimeout: timeout.connect)
        let collector = TokenResponseCollector(maximumBodyBytes: Self.maximumBodyBytes)
        // The deadline covers the whole exchange, the body included.
        let task = client.execute(
            request: http, delegate: collector, deadline: .now() + .nanoseconds(timeout.total.nanoseconds)
        )
        do {
            return try await withTaskCancellationHandler {
                try await task.get()
            } onCancel: {
                task.cancel()
            }
        } catch {
            throw Self.classify(error, timeout: timeout, requestWritten: collector.requestWritten)
        }
    }

    deinit {
        // A transport dropped without `shutdown()` still releases its connections: the
        // future-based shutdown does not block, and keeps each client alive until it is done.
        for client in self.clients.withLock({ Array($0.values) }) {
            _ = client.shutdown()
        }
    }

    public func shutdown() async {
        let clients = self.clients.withLock { clients -> [HTTPClient] in
            defer { clients = [:] }
            return Array(clients.values)
        }
        for client in clients { try? await client.shutdown() }
    }

    /// Maps AsyncHTTPClient and NIO errors onto the manager's attempt failures.
    ///
    /// - Parameter requestWritten: Whether the whole request had been written when `error` happened: then a
    ///   timeout or a broken connection lost an answer the provider may have sent (``AttemptFailure/answerLost``).
    static func classify(_ error: any Error, timeout: TimeoutStep, requestWritten: Bool) -> AttemptFailure {
        var failure = self.classify(error, timeout: timeout)
        failure.answerLost = requestWritten && (failure.kind == .timeout || failure.kind == .connection)
        if failure.answerLost { failure.detail += " after the request was sent" }
        return failure
    }

    private static func classify(_ error: any Error, timeout: TimeoutStep) -> AttemptFailure {
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .writeTimeout:
                return AttemptFailure(
                    kind: .timeout, code: "timeout",
                    detail: "no response within \(TokenRefreshError.format(seconds: timeout.total.seconds))"
                )
            case .connectTimeout:
                return AttemptFailure(
                    kind: .timeout, code: "timeout",
                    detail: "no connection within \(TokenRefreshError.format(seconds: timeout.connect.seconds))"
                )
            case .remoteConnectionClosed:
                return AttemptFailure(kind: .connection, code: "connection_error", detail: "connection closed early")
            default:
                break
            }
        }
        if error is NIOTooManyBytesError {
            return AttemptFailure(
                kind: .badResponse, code: "bad_response",
                detail: "response_too_large: the body exceeds \(Self.maximumBodyBytes) bytes"
            )
        }
        if let error = error as? NIOConnectionError {
            let refused = error.connectionErrors.contains { Self.isRefused($0.error) }
            if refused {
                return AttemptFailure(kind: .connectionRefused, code: "connection_refused", detail: "connection refused")
            }
            if error.dnsAAAAError != nil || error.dnsAError != nil, error.connectionErrors.isEmpty {
                return AttemptFailure(kind: .connection, code: "connection_error", detail: "host name not resolved")
            }
        }
        if Self.isRefused(error) {
            return AttemptFailure(kind: .connectionRefused, code: "connection_refused", detail: "connection refused")
        }
        if let error = error as? ChannelError, case .connectTimeout = error {
            return AttemptFailure(kind: .timeout, code: "timeout", detail: "no connection in time")
        }
        if let error = error as? IOError, error.errnoCode == ECONNRESET || error.errnoCode == EPIPE {
            return AttemptFailure(kind: .connection, code: "connection_error", detail: "connection reset")
        }
        return AttemptFailure(
            kind: .connection, code: "connection_error",
            detail: "transport error \(String(describing: type(of: error)))"
        )
    }

    private static func isRefused(_ error: any Error) -> Bool {
        if let error = error as? IOError { return error.errnoCode == ECONNREFUSED }
        if let error = error as? NIOConnectionError {
            return error.connectionErrors.contains { Self.isRefused($0.error) }
        }
        return false
    }
}
