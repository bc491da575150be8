import Foundation

/// How the configuration layer reads files: the real file system, or files held in memory so
/// tests are hermetic.
public struct FileReader: Sendable {
    /// Returns the UTF-8 text of the file at a path.
    public var read: @Sendable (String) throws(FileReadError) -> String
    /// Whether a regular file exists at a path.
    public var exists: @Sendable (String) -> Bool

    public init(
        read: @escaping @Sendable (String) throws(FileReadError) -> String,
        exists: @escaping @Sendable (String) -> Bool
    ) {
        self.read = read
        self.exists = exists
    }

    /// Reads the real file system.
    public static let fileSystem = FileReader(
        read: { path throws(FileReadError) in
            let manager = FileManager.default
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw FileReadError(reason: "no such file")
            }
            guard !isDirectory.boolValue else { throw FileReadError(reason: "it is a directory") }
            guard manager.isReadableFile(atPath: path) else { throw FileReadError(reason: "permission denied") }
            guard let data = manager.contents(atPath: path) else { throw FileReadError(reason: "it cannot be read") }
            guard let text = String(data: data, encoding: .utf8) else {
                throw FileReadError(reason: "it is not UTF-8 text")
            }
            return text
        },
        exists: { path in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
        }
    )

    /// Reads only the given files, keyed by path; any other path does not exist.
    public static func inMemory(_ files: [String: String]) -> FileReader {
        FileReader(
            read: { path throws(FileReadError) in
                guard let text = files[path] else { throw FileReadError(reason: "no such file") }
                return text
            },
            exists: { files[$0] != nil }
        )
    }
}

/// Why a file could not be read.
public struct FileReadError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A short reason, e.g. "no such file", "permission denied".
    public let reason: String

    public init(reason: String) {
        self.reason = reason
    }

    public var description: String { self.reason }
}

extension FileReader {
    /// Reads a user's file (configuration, rules, dashboard, theme, faults) for parsing.
    ///
    /// - Throws: ``ConfigError`` naming the file and why it cannot be read.
    public func text(of path: String) throws(ConfigError) -> String {
        do {
            return try self.read(path)
        } catch {
            throw .unreadable(file: path, reason: error.reason)
        }
    }
}
