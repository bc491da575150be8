import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import Notifiers
import OAuthTopTestKit
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

/// A notifier whose deliveries wait for a gate, to hold one in flight.
final class GatedNotifier: Notifier {
    let name: String
    let wantsResends = false
    let batchLimit = 1
    let gate: Gate
    private let batches = Mutex<[AlertNotification]>([])

    init(name: String, gate: Gate) {
        self.name = name
        self.gate = gate
    }

    /// The alerts delivered so far (after the gate opened), in order.
    var delivered: [AlertNotification] { self.batches.withLock { $0 } }

    func deliver(_ batch: [AlertNotification]) async throws {
        await self.gate.wait()
        self.batches.withLock { $0.append(contentsOf: batch) }
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
