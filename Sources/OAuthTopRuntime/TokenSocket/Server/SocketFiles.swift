import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The files around a token socket: its directory (created private), a stale socket file from a
/// daemon that died (removed; a live one is an error), and the socket file's mode and group once
/// bound.
enum SocketFiles {
    /// Makes the socket's directory ready and checks the socket path is free.
    ///
    /// A missing directory is created with mode 0700 (0710 and the socket's group when one is
    /// configured, so its members can reach the socket). The default directory is also checked to
    /// belong to this user and to be closed to others, since under `/tmp` someone else could have
    /// made it first.
    static func prepare(_ configuration: TokenSocketConfiguration) throws(TokenSocketError) {
        let directory = (configuration.path as NSString).deletingLastPathComponent
        let mode: mode_t = configuration.groupID == nil ? 0o700 : 0o710
        var info = stat()
        if lstat(directory, &info) != 0 {
            guard errno == ENOENT else { throw .directory(directory, Self.errnoText()) }
            do {
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700]
                )
            } catch {
                throw .directory(directory, "cannot be created: \(error.localizedDescription)")
            }
            try Self.secure(directory, mode: mode, group: configuration.groupID)
        } else if configuration.isDefaultLocation {
            guard info.st_mode & S_IFMT == S_IFDIR else { throw .directory(directory, "is not a directory") }
            guard info.st_uid == getuid() else {
                throw .directory(
                    directory, "belongs to uid \(info.st_uid), not to this user (uid \(getuid())); refusing it"
                )
            }
            try Self.secure(directory, mode: mode, group: configuration.groupID)
        }
        if lstat(configuration.path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFSOCK else { throw .notASocket(configuration.path) }
            if TokenSocketPath.isListening(configuration.path) { throw .inUse(configuration.path) }
            unlink(configuration.path)
        }
    }

    private static func secure(_ directory: String, mode: mode_t, group: UInt32?) throws(TokenSocketError) {
        if let group, chown(directory, uid_t.max, gid_t(group)) != 0 {
            throw .directory(directory, "cannot give it to group \(group): \(Self.errnoText())")
        }
        guard chmod(directory, mode) == 0 else {
            throw .directory(directory, "cannot set mode \(String(mode, radix: 8)): \(Self.errnoText())")
        }
    }

    /// Gives the bound socket file its configured mode and group.
    static func applyPermissions(_ configuration: TokenSocketConfiguration) throws(TokenSocketError) {
        if let group = configuration.groupID, chown(configuration.path, uid_t.max, gid_t(group)) != 0 {
            throw .permissions(configuration.path, "cannot give it to group \(group): \(Self.errnoText())")
        }
        guard chmod(configuration.path, mode_t(configuration.mode)) == 0 else {
            throw .permissions(
                configuration.path, "cannot set mode \(String(configuration.mode, radix: 8)): \(Self.errnoText())"
            )
        }
    }

    /// Removes the socket file on the way out, if it is still a socket.
    static func remove(_ path: String) {
        var info = stat()
        if lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFSOCK { unlink(path) }
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }
}
