import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import Notifiers
import ServiceLifecycle
import Synchronization
import Testing

/// A fixed instant: 2026-04-24T03:06:40Z.
let testStart = Date(timeIntervalSince1970: 1_777_000_000)

/// A firing alert like the seed's breaker rule produces.
func breakerAlert(status: AlertNotification.Status = .firing, isResend: Bool = false) -> AlertNotification {
    AlertNotification(
        status: status,
        labels: ["alertname": "oauth_circuit_breaker_open", "severity": "critical", "provider": "github"],
        annotations: ["summary": "breaker open for github", "description": "3 failures in a row"],
        startsAt: testStart,
        endsAt: status == .resolved ? testStart.addingTimeInterval(60) : nil,
        generatorURL: "http://127.0.0.1:9464/rules",
        value: 2,
        isResend: isResend
    )
}

/// Polls `condition` every 10 ms until it holds or `timeout` passes.
func eventually(
    timeout: Duration = .seconds(10),
    _ condition: @Sendable () async throws -> Bool
) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return try await condition()
}

/// How the loopback receiver answers request number `index` (0-based).
enum ReceiverBehaviour: Sendable {
    case status(Int, retryAfter: String? = nil)
    /// Never answers until the receiver stops.
    case hang
}

/// One request the receiver saw.
struct RecordedRequest: Sendable {
    let path: String
    /// Header values by lower-case name.
    let headers: [String: String]
    let body: String
    let at: ContinuousClock.Instant

    /// The body parsed as JSON.
    var json: Any? { try? JSONSerialization.jsonObject(with: Data(self.body.utf8)) }
}

/// A Hummingbird server on 127.0.0.1 port 0 that records every POST and answers as scripted.
final class LoopbackReceiver: Sendable {
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

    var requests: [RecordedRequest] { self.state.withLock { $0.requests } }
    var port: Int? { self.state.withLock { $0.port } }
    var baseURL: String { "http://127.0.0.1:\(self.port ?? 0)" }

    /// Runs `body` with the receiver listening; stops it afterwards, also on failure.
    static func with<T: Sendable>(
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
        try #require(started, "the loopback receiver did not start")
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
    func release() {
        let waiters = self.state.withLock { state in
            state.released = true
            defer { state.hanging = [] }
            return state.hanging
        }
        for waiter in waiters { waiter.resume() }
    }
}

/// A notifier that records batches in memory.
final class RecordingNotifier: Notifier {
    let name: String
    let wantsResends: Bool
    let batchLimit: Int
    private let batches = Mutex<[[AlertNotification]]>([])

    init(name: String, wantsResends: Bool = false, batchLimit: Int = 1) {
        self.name = name
        self.wantsResends = wantsResends
        self.batchLimit = batchLimit
    }

    var delivered: [AlertNotification] { self.batches.withLock { $0.flatMap { $0 } } }

    func deliver(_ batch: [AlertNotification]) async throws {
        self.batches.withLock { $0.append(batch) }
    }
}

/// A logger that prints nothing.
var quietLogger: Logger {
    var logger = Logger(label: "notifiers-tests")
    logger.logLevel = .critical
    return logger
}

/// Runs `dispatcher` for the duration of `body`, then cancels it.
func running<T: Sendable>(
    _ dispatcher: NotificationDispatcher,
    _ body: () async throws -> T
) async throws -> T {
    let task = Task { try await dispatcher.run() }
    defer { task.cancel() }
    let result = try await body()
    task.cancel()
    _ = await task.result
    return result
}

/// Serialises `value` with sorted keys, for comparing JSON documents regardless of key order.
func canonicalJSON(_ value: Any?) -> String {
    guard let value, let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]) else {
        return "<not JSON>"
    }
    return String(decoding: data, as: UTF8.self)
}
