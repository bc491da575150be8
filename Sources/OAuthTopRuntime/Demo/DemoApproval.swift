import Foundation
import Logging
import ServiceLifecycle
import TokenManager

/// The demo's operator: approves the `demo` provider's emergency key at a scheduled time by creating the
/// key's approval file, as a person would, and says so with an `emergency_approved` event (critical: someone
/// allowed a static key) on the manager's event stream, so the JSON lines and the dashboard show it in order.
///
/// The file lives in a directory of its own, made for the run and removed at its end.
public struct DemoApproval: Service {
    /// The event kind: the emergency key's approval was given (`approval_file`, `approved_by`).
    public static let approvedKind = TokenEvent.Kind(rawValue: "emergency_approved")

    private let manager: OAuthTokenManager
    private let provider: String
    private let file: String
    private let at: ContinuousClock.Instant
    private let logger: Logger

    /// - Parameters:
    ///   - manager: Whose event stream says so.
    ///   - provider: The provider whose emergency key the file approves.
    ///   - file: The approval file.
    ///   - at: When to approve.
    public init(
        manager: OAuthTokenManager, provider: String, file: String, at: ContinuousClock.Instant, logger: Logger
    ) {
        self.manager = manager
        self.provider = provider
        self.file = file
        self.at = at
        self.logger = logger
    }

    /// A new directory for the approval file (mode 0700), under the temporary directory.
    public static func makeDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "oauthtop-demo-\(getpid())-\(UUID().uuidString.prefix(8))"
        ).path
        try FileManager.default.createDirectory(
            atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700]
        )
        return path
    }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                try await Task.sleep(until: self.at, clock: .continuous)
            }
        } catch {
            return
        }
        self.approve()
        // Stay until shutdown: a service that returns ends the group.
        try? await gracefulShutdown()
    }

    private func approve() {
        let created = FileManager.default.createFile(
            atPath: self.file, contents: Data(), attributes: [.posixPermissions: 0o600]
        )
        guard created else {
            self.logger.warning("cannot create the demo's approval file", metadata: ["path": "\(self.file)"])
            return
        }
        self.manager.publish(
            TokenEvent(
                kind: Self.approvedKind, timestamp: WallClock.realtimeNanos(), provider: self.provider,
                severity: .critical,
                fields: [("approval_file", .string(self.file)), ("approved_by", .string("demo schedule"))]
            )
        )
    }
}
