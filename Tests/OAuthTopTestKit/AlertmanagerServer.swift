import Foundation

/// Debian's real Alertmanager (`prometheus-alertmanager`) on a free loopback port: clustering off (no gossip
/// listener on 0.0.0.0:9094), a private storage directory, a configuration that routes everything nowhere.
public enum AlertmanagerServer {
    public static let binary = "/usr/bin/prometheus-alertmanager"
    public static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: Self.binary) }

    /// Starts Alertmanager, waits until `ready` (given the base URL) says so, runs `body`, and stops it.
    public static func with<T: Sendable>(
        ready: @escaping @Sendable (String) async -> Bool,
        _ body: (LoopbackServerProcess) async throws -> T
    ) async throws -> T {
        try await LoopbackServerProcess.with(
            name: "Alertmanager", binary: Self.binary,
            files: ["alertmanager.yml": "route: {receiver: none}\nreceivers: [{name: none}]\n"],
            arguments: { port, directory in
                [
                    "--web.listen-address=127.0.0.1:\(port)",
                    "--storage.path=\(directory.appendingPathComponent("data").path)",
                    "--cluster.listen-address=",
                    "--config.file=\(directory.appendingPathComponent("alertmanager.yml").path)",
                ]
            },
            ready: ready, readyTimeout: .seconds(30), body
        )
    }
}
