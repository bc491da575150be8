import Foundation
import OAuthTopConfig
import Telemetry

/// The token socket's settings, resolved for this machine: the path (defaults applied), the socket
/// file's mode and group id, and the optional loopback TCP listener with its secret file.
public struct TokenSocketConfiguration: Sendable, Hashable {
    /// The Unix socket's path.
    public var path: String
    /// The socket file's permission bits.
    public var mode: UInt16
    /// The group that owns the socket file and whose members may connect.
    public var groupID: UInt32?
    /// The loopback TCP listener, if any.
    public var tcp: ListenAddress?
    /// Where the TCP listener's per-run secret is written (mode 0600).
    public var secretFile: String
    /// Request bodies above this size get 413 (the endpoints take none).
    public var maxBodyBytes: Int
    /// Whether the socket's directory is the default one, which the daemon creates and keeps private.
    public var isDefaultLocation: Bool

    public init(
        path: String,
        mode: UInt16 = SocketSettings.defaultMode,
        groupID: UInt32? = nil,
        tcp: ListenAddress? = nil,
        secretFile: String? = nil,
        maxBodyBytes: Int = 65_536,
        isDefaultLocation: Bool = false
    ) {
        self.path = path
        self.mode = mode
        self.groupID = groupID
        self.tcp = tcp
        self.secretFile = secretFile ?? ((path as NSString).deletingLastPathComponent + "/oauthtop-tcp.secret")
        self.maxBodyBytes = maxBodyBytes
        self.isDefaultLocation = isDefaultLocation
    }

    /// Resolves the `socket:` section (and `--socket`) for this machine.
    ///
    /// - Parameters:
    ///   - settings: The section as parsed.
    ///   - pathOverride: `--socket PATH`, which wins over `socket.path`.
    ///   - environment: For `XDG_RUNTIME_DIR`.
    /// - Returns: `nil` when the socket is disabled (`enabled: false` and no `--socket`).
    /// - Throws: ``TokenSocketError`` when the group does not exist or the TCP address is malformed.
    public static func resolve(
        _ settings: SocketSettings,
        pathOverride: String? = nil,
        environment: [String: String]
    ) throws(TokenSocketError) -> TokenSocketConfiguration? {
        guard settings.enabled || pathOverride != nil else { return nil }
        let explicit = pathOverride ?? settings.path
        var groupID: UInt32?
        if let group = settings.group {
            guard let id = PeerAccessPolicy.groupID(named: group) else { throw .unknownGroup(group) }
            groupID = id
        }
        var tcp: ListenAddress?
        if let listen = settings.tcp?.listen {
            do {
                tcp = try ListenAddress(parsing: listen)
            } catch {
                throw .badListen(listen, reason: "\(error)")
            }
        }
        return TokenSocketConfiguration(
            path: explicit ?? TokenSocketPath.defaultPath(environment: environment),
            mode: settings.mode,
            groupID: groupID,
            tcp: tcp,
            secretFile: settings.tcp?.secretFile,
            isDefaultLocation: explicit == nil
        )
    }
}
