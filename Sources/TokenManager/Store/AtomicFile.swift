import Foundation
import Primitives
import Synchronization

/// Writes a file so that a crash leaves either the old or the new contents, never half: a temporary file
/// in the same directory, created with mode 0600 and given its final owner, group and mode before any
/// reader can see it, fsync, rename over the target, fsync of the directory (created with mode 0700 when
/// missing). For files that may hold secrets (the token store, token files and sinks) or state (alerts).
public enum AtomicFile {
    /// Distinguishes the temporary files of concurrent writers in one process.
    private static let sequence = Atomic<UInt64>(0)

    /// Writes `bytes` to `path` atomically with mode 0600.
    ///
    /// - Throws: ``AtomicFileError`` naming the path and the system's reason.
    public static func write(_ bytes: [UInt8], to path: String) throws(AtomicFileError) {
        try self.write(bytes, to: path, mode: .ownerReadWrite)
    }

    /// Writes `bytes` to `path` atomically with `mode`, and with `owner` and `group` when given.
    ///
    /// The temporary file is created 0600 and changed with `fchown` then `fchmod` before the rename,
    /// so the file never appears under `path` with another mode or owner than asked.
    ///
    /// - Parameters:
    ///   - bytes: The new contents.
    ///   - path: The file to replace.
    ///   - mode: Its permission bits.
    ///   - owner: The user id to give it; `nil` keeps the writer's.
    ///   - group: The group id to give it; `nil` keeps the writer's.
    /// - Throws: ``AtomicFileError`` naming the path and the system's reason (e.g. `fchown` refused
    ///   because the process may not give files away).
    public static func write(
        _ bytes: [UInt8],
        to path: String,
        mode: FileMode,
        owner: UInt32? = nil,
        group: UInt32? = nil
    ) throws(AtomicFileError) {
        let directory = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700]
            )
        } catch {
            throw AtomicFileError(path: directory, detail: Self.errnoText(), isDirectory: true)
        }
        let temporary = "\(path).tmp-\(getpid())-\(Self.sequence.wrappingAdd(1, ordering: .relaxed).newValue)"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw AtomicFileError(path: temporary, detail: Self.errnoText()) }
        if owner != nil || group != nil {
            // -1 (as uid_t/gid_t) leaves that id unchanged.
            guard fchown(fd, owner ?? UInt32.max, group ?? UInt32.max) == 0 else {
                let text = Self.errnoText()
                close(fd)
                unlink(temporary)
                throw AtomicFileError(path: path, detail: "cannot set owner/group: \(text)")
            }
        }
        // O_CREAT's mode is masked by umask and ignored for an existing file: set it explicitly (after
        // fchown, which may clear bits).
        guard fchmod(fd, mode_t(mode.permissions)) == 0 else {
            let text = Self.errnoText()
            close(fd)
            unlink(temporary)
            throw AtomicFileError(path: path, detail: "cannot set mode \(mode): \(text)")
        }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                Glibc.write(fd, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                let text = Self.errnoText()
                close(fd)
                unlink(temporary)
                throw AtomicFileError(path: temporary, detail: text)
            }
            offset += written
        }
        guard fsync(fd) == 0 else {
            let text = Self.errnoText()
            close(fd)
            unlink(temporary)
            throw AtomicFileError(path: temporary, detail: text)
        }
        close(fd)
        guard rename(temporary, path) == 0 else {
            let text = Self.errnoText()
            unlink(temporary)
            throw AtomicFileError(path: path, detail: text)
        }
        let directoryFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryFD >= 0 {
            fsync(directoryFD)
            close(directoryFD)
        }
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}

/// A file could not be written atomically.
public struct AtomicFileError: Error, Sendable, CustomStringConvertible {
    /// The file or directory concerned.
    public let path: String
    /// The system's reason.
    public let detail: String
    /// Whether the directory could not be created.
    public let isDirectory: Bool

    init(path: String, detail: String, isDirectory: Bool = false) {
        self.path = path
        self.detail = detail
        self.isDirectory = isDirectory
    }

    public var description: String {
        self.isDirectory
            ? "cannot create directory \(self.path): \(self.detail)" : "cannot write \(self.path): \(self.detail)"
    }
}
