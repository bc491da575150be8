import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization

/// How the loopback receiver answers request number `index` (0-based).
public enum ReceiverBehaviour: Sendable {
    /// This status, with a `Retry-After` header when given.
    case status(Int, retryAfter: String? = nil)
    /// Never answers until the receiver stops.
    case hang
}

/// One request the receiver saw.
public struct RecordedRequest: Sendable {
    public let path: String
    /// Header values by lower-case name.
    public let headers: [String: String]
    public let body: String
    public let at: ContinuousClock.Instant

    /// The body parsed as JSON.
    public var json: Any? { try? JSONSerialization.jsonObject(with: Data(self.body.utf8)) }

    /// The body as a JSON object, or an empty one when it is not.
    public var jsonObject: [String: Any] { self.json as? [String: Any] ?? [:] }

    /// The `Authorization` header, if any.
    public var authorization: String? { self.headers["authorization"] }
}

/// A Hummingbird server on 127.0.0.1 port 0 that records every POST and answers as scripted: plays Slack,
/// PagerDuty, Alertmanager or a webhook receiver for notifier tests and for the real binary.
public final class LoopbackReceiver: Sendable {
    private struct State {
        var requests: [RecordedRequest] = []
        var port: Int?
        var released = false
        var hanging: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())
    private let behaviour: @Sendable (Int) -> ReceiverBehaviour

    init(behaviour: @escaping @Sendable (Int) -> ReceiverBehaviour) {
        self.behaviour = behaviour
    }

    /// The requests received so far, in order.
    public var requests: [RecordedRequest] { self.state.withLock { $0.requests } }
    public var port: Int? { self.state.withLock { $0.port } }
    public var baseURL: String { "http://127.0.0.1:\(self.port ?? 0)" }

    /// The requests whose path is `path`.
    public func requests(to path: String) -> [RecordedRequest] { self.requests.filter { $0.path == path } }

    /// Runs `body` with the receiver listening; stops it afterwards, also on failure.
    public static func with<T: Sendable>(
        behaviour: @escaping @Sendable (Int) -> ReceiverBehaviour = { _ in .status(200) },
        _ body: (LoopbackReceiver) async throws -> T
    ) async throws -> T {
        let receiver = LoopbackReceiver(behaviour: behaviour)
        let router = Router()
        router.post("**") { request, _ -> Response in
            try await receiver.handle(request)
        }
        var logger = Logger(label: "loopback-receiver")
        logger.logLevel = .critical
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in receiver.state.withLock { $0.port = channel.localAddress?.port } },
            logger: logger
        )
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let task = Task { try await group.run() }
        defer {
            receiver.release()
            task.cancel()
        }
        let started = await eventually { receiver.port != nil }
        guard started else { throw LoopbackError(description: "the loopback receiver did not start") }
        let result = try await body(receiver)
        receiver.release()
        await group.triggerGracefulShutdown()
        _ = await task.result
        return result
    }

    private func handle(_ request: Request) async throws -> Response {
        let buffer = try await request.body.collect(upTo: 1 << 20)
        var headers: [String: String] = [:]
        for field in request.headers {
            headers[field.name.canonicalName.lowercased()] = field.value
        }
        let recorded = RecordedRequest(
            path: request.uri.path, headers: headers, body: String(buffer: buffer), at: .now
        )
        let index = self.state.withLock { state in
            state.requests.append(recorded)
            return state.requests.count - 1
        }
        switch self.behaviour(index) {
        case .status(let code, let retryAfter):
            var fields = HTTPFields()
            if let retryAfter { fields[.retryAfter] = retryAfter }
            return Response(status: .init(code: code), headers: fields)
        case .hang:
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let released = self.state.withLock { state -> Bool in
                    if state.released { return true }
                    state.hanging.append(continuation)
                    return false
                }
                if released { continuation.resume() }
            }
            return Response(status: .serviceUnavailable)
        }
    }

    /// Lets every hanging request answer, so the server can stop.
    public func release() {
        let waiters = self.state.withLock { state in
            state.released = true
            defer { state.hanging = [] }
            return state.hanging
        }
        for waiter in waiters { waiter.resume() }
    }
}
