import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// What loading the store found.
public struct TokenStoreLoad: Sendable {
    public var tokens: [String: StoredToken]
    /// Where a corrupt store was moved, when it was.
    public var setAside: String?
    /// Why the store was unreadable, when it was.
    public var problem: String?
}

/// Errors writing the token store.
public struct TokenStoreError: Error, CustomStringConvertible {
    private enum Code { case write, directory }
    private let code: Code
    public let path: String
    public let detail: String

    public var description: String {
        switch self.code {
        case .write: "cannot write token store \(self.path): \(self.detail)"
        case .directory: "cannot create token store directory \(self.path): \(self.detail)"
        }
    }

    static func write(_ path: String, _ detail: String) -> Self { .init(code: .write, path: path, detail: detail) }
    static func directory(_ path: String, _ detail: String) -> Self {
        .init(code: .directory, path: path, detail: detail)
    }
}

/// Persists tokens in one JSON file, written atomically (temporary file, fsync, rename, fsync of
/// the directory) with mode 0600, so a crash leaves either the old or the new file, never half.
public final class FileTokenStore: Sendable {
    private struct File: Codable {
        var version: Int
        var providers: [String: StoredToken]
    }

    public let path: String
    private let writeLock = Mutex(())

    public init(path: String) {
        self.path = path
    }

    /// The default location: `$XDG_STATE_HOME/oauthtop/tokens.json`, else `~/.local/state/oauthtop/tokens.json`.
    public static func defaultPath(environment: [String: String]) -> String {
        let base: String
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") {
            base = state
        } else {
            base = (environment["HOME"] ?? NSHomeDirectory()) + "/.local/state"
        }
        return base + "/oauthtop/tokens.json"
    }

    /// Reads the store. A missing file is an empty store; an unreadable or corrupt one is
    /// renamed to `<path>.corrupt-<unix time>` and reported, and the store starts empty.
    public func load(now: Int64) -> TokenStoreLoad {
        guard let data = FileManager.default.contents(atPath: self.path) else {
            return TokenStoreLoad(tokens: [:])
        }
        do {
            let file = try JSONDecoder().decode(File.self, from: data)
            guard file.version == 1 else {
                return self.setAside(now: now, problem: "unknown store version \(file.version)")
            }
            return TokenStoreLoad(tokens: file.providers)
        } catch let error as DecodingError {
            return self.setAside(now: now, problem: Self.describe(error))
        } catch {
            return self.setAside(now: now, problem: "unreadable")
        }
    }

    private func setAside(now: Int64, problem: String) -> TokenStoreLoad {
        let aside = "\(self.path).corrupt-\(now / 1_000_000_000)"
        let moved = rename(self.path, aside) == 0
        return TokenStoreLoad(tokens: [:], setAside: moved ? aside : nil, problem: problem)
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .dataCorrupted(let context):
            return "not valid JSON" + (context.codingPath.isEmpty ? "" : " at \(Self.path(context.codingPath))")
        case .keyNotFound(let key, let context):
            return "missing '\(key.stringValue)' at \(Self.path(context.codingPath))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "wrong type at \(Self.path(context.codingPath))"
        @unknown default:
            return "unreadable"
        }
    }

    private static func path(_ codingPath: [any CodingKey]) -> String {
        codingPath.isEmpty ? "top level" : codingPath.map(\.stringValue).joined(separator: ".")
    }

    /// The tokens in the file as it is now, for a manager that shares it with others; unlike ``load(now:)``
    /// it never moves a corrupt file aside (an empty result instead).
    public func read() -> [String: StoredToken] {
        guard let data = FileManager.default.contents(atPath: self.path),
            let file = try? JSONDecoder().decode(File.self, from: data), file.version == 1
        else { return [:] }
        return file.providers
    }

    /// Writes `tokens` into the file without undoing what another manager sharing it wrote since: under an
    /// advisory lock (`flock` on `<path>.lock`, so the read and the write are one step for every manager
    /// that merges), each provider's entry is replaced unless the file holds a newer rotation of the same
    /// credential, and providers this manager does not know are kept.
    ///
    /// Newest wins, per provider: the file's entry stays when it holds another refresh token, was obtained
    /// strictly later (a rotation always comes with the access token of the same answer) and descends from
    /// the same configured refresh token (a newly configured one always wins).
    ///
    /// - Returns: The providers whose newer entry in the file was kept.
    /// - Throws: ``TokenStoreError`` when the file cannot be written.
    @discardableResult
    public func merge(_ tokens: [String: StoredToken]) throws(TokenStoreError) -> [String] {
        try self.writeLock.withLock { _ throws(TokenStoreError) -> [String] in
            let lock = self.lockFile()
            defer {
                if lock >= 0 {
                    flock(lock, LOCK_UN)
                    close(lock)
                }
            }
            var merged = self.read()
            var kept: [String] = []
            for (provider, ours) in tokens {
                if let theirs = merged[provider], Self.isNewerRotation(theirs, than: ours) {
                    kept.append(provider)
                } else {
                    merged[provider] = ours
                }
            }
            try self.writeAtomically(self.encode(merged))
            return kept.sorted()
        }
    }

    /// Whether `theirs` is a later rotation of the credential `ours` holds (see ``merge(_:)``).
    static func isNewerRotation(_ theirs: StoredToken, than ours: StoredToken) -> Bool {
        theirs.refreshToken != nil && theirs.refreshToken != ours.refreshToken
            && theirs.obtainedAtNanos > ours.obtainedAtNanos && theirs.refreshTokenSeed == ours.refreshTokenSeed
    }

    /// Opens and locks `<path>.lock` (mode 0600); -1 when that is impossible, and the merge goes on unlocked.
    private func lockFile() -> Int32 {
        let directory = (self.path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700]
        )
        let fd = open(self.path + ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return -1 }
        while flock(fd, LOCK_EX) != 0 {
            if errno == EINTR { continue }
            close(fd)
            return -1
        }
        return fd
    }

    private func encode(_ tokens: [String: StoredToken]) throws(TokenStoreError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        do {
            return Array(try encoder.encode(File(version: 1, providers: tokens)))
        } catch {
            throw .write(self.path, "encoding failed")
        }
    }

    /// Writes all tokens atomically with mode 0600.
    public func save(_ tokens: [String: StoredToken]) throws(TokenStoreError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        let data: Data
        do {
            data = try encoder.encode(File(version: 1, providers: tokens))
        } catch {
            throw .write(self.path, "encoding failed")
        }
        try self.writeLock.withLock { _ throws(TokenStoreError) in
            try self.writeAtomically(Array(data))
        }
    }

    private func writeAtomically(_ bytes: [UInt8]) throws(TokenStoreError) {
        do {
            try AtomicFile.write(bytes, to: self.path)
        } catch {
            throw error.isDirectory ? .directory(error.path, error.detail) : .write(error.path, error.detail)
        }
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}
