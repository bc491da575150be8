import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Primitives
import ServiceLifecycle
import Synchronization

/// A small upstream API on 127.0.0.1 for the proxy's tests, doing what the demo identity provider's API
/// cannot: it records every request it received (method, target, fields, body, arrival time), echoes it
/// back as JSON, streams server-sent events with pauses between chunks, rejects tokens the test revoked
/// with `401` and `WWW-Authenticate: Bearer error="invalid_token"`, and plays scripted answers (a 429 with
/// `Retry-After`, a 401) in order before echoing again.
///
/// Paths (any method, by their last segment; a `HEAD` gets the head of what a `GET` would get): `.../sse?chunks=N&pause_ms=M` streams N `data:` events M ms
/// apart; `.../slow?delay_ms=D` answers after D ms; everything else
/// answers the next scripted answer if any, else 401 for a revoked (or `reject_all`) token, else 200 with
/// the echo `{"method", "target", "headers": {lower-cased name: value}, "body"}` (a credential in it only as
/// its fingerprint: `Authorization: Bearer sha256:...`).
public final class ScriptedUpstream: Sendable {
    /// One request as it arrived.
    public struct Received: Sendable {
        public var method: String
        public var target: String
        public var headers: [String: String]
        public var body: String
        /// `ContinuousClock` instant of its arrival.
        public var at: ContinuousClock.Instant
    }

    /// A scripted answer.
    public struct Answer: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: String

        public init(status: Int, headers: [String: String] = [:], body: String = "") {
            self.status = status
            self.headers = headers
            self.body = body
        }
    }

    private struct State {
        var received: [Received] = []
        var script: [Answer] = []
        var revoked: Set<String> = []
        var rejectAll = false
        var port: Int?
    }

    private let state = Mutex(State())
    private let group = Mutex<ServiceGroup?>(nil)
    private let running = Mutex<Task<Void, any Error>?>(nil)

    public init() {}

    /// The bound port, once started.
    public var port: Int { self.state.withLock { $0.port ?? 0 } }
    /// `http://127.0.0.1:PORT`.
    public var baseURL: String { "http://127.0.0.1:\(self.port)" }
    /// Every request received, in order.
    public var received: [Received] { self.state.withLock { $0.received } }

    /// Queues answers given before echoing again.
    public func script(_ answers: [Answer]) { self.state.withLock { $0.script += answers } }
    /// From now on, requests with this bearer token get 401 `invalid_token`.
    public func revoke(token: String) { self.state.withLock { _ = $0.revoked.insert(token) } }
    /// Every request gets 401 `invalid_token` (or not).
    public func rejectAll(_ flag: Bool) { self.state.withLock { $0.rejectAll = flag } }

    /// The bearer token of a received request, if it sent one.
    public static func bearer(_ received: Received) -> String? {
        guard let value = received.headers["authorization"], value.hasPrefix("Bearer ") else { return nil }
        return String(value.dropFirst(7))
    }

    /// Starts listening on 127.0.0.1 port 0; returns once bound.
    public func start() async throws {
        let router = Router()
        for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete, .head, .options] {
            router.on("/**", method: method) { request, _ in try await self.dispatch(request) }
            router.on("/", method: method) { request, _ in try await self.dispatch(request) }
        }
        let app = Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in self.state.withLock { $0.port = channel.localAddress?.port } },
            logger: Logger(label: "scripted-upstream") { _ in SwiftLogNoOpLogHandler() }
        )
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: app)], gracefulShutdownSignals: [], cancellationSignals: [],
                logger: Logger(label: "scripted-upstream") { _ in SwiftLogNoOpLogHandler() }
            )
        )
        self.group.withLock { $0 = group }
        self.running.withLock { $0 = Task { try await group.run() } }
        guard await eventually(timeout: .seconds(30), { self.state.withLock { $0.port != nil } }) else {
            throw LoopbackError(description: "the scripted upstream did not bind within 30 s")
        }
    }

    /// Stops the server.
    public func stop() async {
        await self.group.withLock { $0 }?.triggerGracefulShutdown()
        _ = await self.running.withLock { $0 }?.result
    }

    private func record(_ request: Request, body: String) {
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let received = Received(
            method: request.method.rawValue, target: request.uri.description, headers: headers, body: body,
            at: ContinuousClock.now
        )
        self.state.withLock { $0.received.append(received) }
    }

    /// By the last path segment: `sse` streams events, `slow` answers after `delay_ms`, anything else echoes.
    private func dispatch(_ request: Request) async throws -> Response {
        // A HEAD gets the GET's head without its body (`Content-Length` the body's), as HTTP says.
        let response = try await self.route(request)
        return request.method == .head ? response.createHeadResponse() : response
    }

    private func route(_ request: Request) async throws -> Response {
        switch request.uri.path.split(separator: "/").last ?? "" {
        case "sse":
            return self.events(request)
        case "slow":
            // Recorded on arrival, so that a test sees the request while its answer is still to come.
            let body = String(buffer: try await request.body.collect(upTo: 64 << 20))
            self.record(request, body: body)
            let delay = request.uri.queryParameters.get("delay_ms", as: Int.self) ?? 1000
            try await Task.sleep(for: .milliseconds(delay))
            return try await self.answer(request, recorded: body)
        default:
            return try await self.answer(request)
        }
    }

    /// The scripted answer, a 401 for a revoked token, or the echo; `recorded` is the body of a request recorded
    /// already (on its arrival).
    private func answer(_ request: Request, recorded: String? = nil) async throws -> Response {
        let body: String
        if let recorded {
            body = recorded
        } else {
            body = String(buffer: try await request.body.collect(upTo: 64 << 20))
            self.record(request, body: body)
        }
        let (scripted, rejected) = self.state.withLock { state -> (Answer?, Bool) in
            let token = request.headers[.authorization].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil }
            let rejected = state.rejectAll || token.map { state.revoked.contains($0) } == true
            return (state.script.isEmpty ? nil : state.script.removeFirst(), rejected)
        }
        if let scripted {
            var fields = HTTPFields()
            for (name, value) in scripted.headers { if let name = HTTPField.Name(name) { fields[name] = value } }
            return Response(
                status: HTTPResponse.Status(code: scripted.status), headers: fields,
                body: ResponseBody(byteBuffer: ByteBuffer(string: scripted.body))
            )
        }
        if rejected {
            return Response(
                status: .unauthorized,
                headers: [.wwwAuthenticate: "Bearer realm=\"upstream\", error=\"invalid_token\"", .contentType: "text/plain"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: "token refused\n"))
            )
        }
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        // swift-http-types keeps HTTP/1's `Host` as the request's authority.
        if let authority = request.head.authority { headers["host"] = authority }
        // The echo never carries a credential: `Authorization: Bearer sha256:FINGERPRINT`.
        if let value = headers["authorization"] {
            let parts = value.split(separator: " ", maxSplits: 1)
            headers["authorization"] = parts.count == 2
                ? "\(parts[0]) sha256:\(Secret.fingerprint(of: String(parts[1])))" : "sha256:\(Secret.fingerprint(of: value))"
        }
        let echo: [String: Any] = [
            "method": request.method.rawValue, "target": request.uri.description, "headers": headers, "body": body,
        ]
        let json = try JSONSerialization.data(withJSONObject: echo, options: [.sortedKeys])
        return Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: json))
        )
    }

    private func events(_ request: Request) -> Response {
        self.record(request, body: "")
        let chunks = request.uri.queryParameters.get("chunks", as: Int.self) ?? 5
        let pause = request.uri.queryParameters.get("pause_ms", as: Int.self) ?? 300
        return Response(
            status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
            body: ResponseBody { writer in
                for index in 0..<chunks {
                    if index > 0 { try await Task.sleep(for: .milliseconds(pause)) }
                    try await writer.write(ByteBuffer(string: "data: {\"chunk\": \(index)}\n\n"))
                }
                try await writer.finish(nil)
            }
        )
    }
}
