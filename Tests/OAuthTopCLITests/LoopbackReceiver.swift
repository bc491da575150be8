import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization

/// A Hummingbird server on 127.0.0.1 port 0 that plays Slack, PagerDuty and a webhook receiver for the
/// real binary: it records every POST and answers 202 (what PagerDuty's Events API answers; Slack and
/// webhooks accept any 2xx).
final class LoopbackReceiver: Sendable {
    /// One request the receiver saw.
    struct Recorded: Sendable {
        let path: String
        /// The `Authorization` header, if any.
        let authorization: String?
        let body: String

        /// The body as a JSON object, or an empty one when it is not.
        var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(self.body.utf8))) as? [String: Any] ?? [:]
        }
    }

    private struct State {
        var requests: [Recorded] = []
        var port: Int?
    }

    private let state = Mutex(State())

    var requests: [Recorded] { self.state.withLock { $0.requests } }
    var baseURL: String { "http://127.0.0.1:\(self.state.withLock { $0.port } ?? 0)" }

    /// The requests whose path is `path`.
    func requests(to path: String) -> [Recorded] { self.requests.filter { $0.path == path } }

    /// Runs `body` with the receiver listening; stops it afterwards, also on failure.
    static func with<T: Sendable>(_ body: (LoopbackReceiver) async throws -> T) async throws -> T {
        let receiver = LoopbackReceiver()
        let router = Router()
        router.post("**") { request, _ -> Response in
            let buffer = try await request.body.collect(upTo: 1 << 20)
            let recorded = Recorded(
                path: request.uri.path, authorization: request.headers[.authorization], body: String(buffer: buffer)
            )
            receiver.state.withLock { $0.requests.append(recorded) }
            return Response(status: .accepted)
        }
        var logger = Logger(label: "cli-test.receiver")
        logger.logLevel = .critical
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in receiver.state.withLock { $0.port = channel.localAddress?.port } },
            logger: logger
        )
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let task = Task { try await group.run() }
        defer { task.cancel() }
        let started = await eventually(timeout: .seconds(10)) { receiver.state.withLock { $0.port != nil } }
        guard started else { throw CLITestFailure("the loopback receiver did not start") }
        let result = try await body(receiver)
        await group.triggerGracefulShutdown()
        _ = await task.result
        return result
    }
}
