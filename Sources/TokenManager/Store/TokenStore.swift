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
