import Foundation
import Logging

/// Sets up swift-log once for a command: stderr, a file, or nowhere (while the dashboard owns the
/// terminal), with the chosen level. Libraries only take a `Logger`; this is the one place that
/// decides where their lines go.
public enum LoggingSetup {
    /// Where log lines go.
    public struct Destination: Sendable, Hashable {
        enum Kind: Hashable {
            case standardError
            case file(String)
            case none
        }
        let kind: Kind

        /// Standard error (headless commands: stdout carries the JSON events).
        public static let standardError = Destination(kind: .standardError)
        /// Nowhere (the dashboard owns the terminal and no `--log-file` was given).
        public static let none = Destination(kind: .none)
        /// Appended to a file created 0600 if missing.
        public static func file(_ path: String) -> Destination { Destination(kind: .file(path)) }
    }

    /// The log file cannot be opened for writing.
    public struct Error: Swift.Error, CustomStringConvertible {
        /// The path that could not be written.
        public let path: String
        public var description: String { "--log-file: cannot write \(self.path)" }
    }

    /// Bootstraps the logging system.
    ///
    /// - Parameters:
    ///   - level: The lowest level written.
    ///   - destination: Where lines go.
    /// - Throws: ``Error`` when a log file cannot be opened for writing.
    public static func bootstrap(level: Logger.Level, to destination: Destination = .standardError) throws(Error) {
        switch destination.kind {
        case .standardError:
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        case .none:
            LoggingSystem.bootstrap { _ in SwiftLogNoOpLogHandler() }
        case .file(let path):
            let stream = try LogFileStream(path: path)
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler(label: label, stream: stream)
                handler.logLevel = level
                return handler
            }
        }
    }
}

/// Appends log lines to a file, one writer at a time.
final class LogFileStream: TextOutputStream, @unchecked Sendable {
    // @unchecked: every access to `handle` happens under `lock`.
    private let handle: FileHandle
    private let lock = NSLock()

    init(path: String) throws(LoggingSetup.Error) {
        guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
                || FileManager.default.isWritableFile(atPath: path),
            let handle = FileHandle(forWritingAtPath: path)
        else {
            throw LoggingSetup.Error(path: path)
        }
        handle.seekToEndOfFile()
        self.handle = handle
    }

    func write(_ string: String) {
        self.lock.lock()
        defer { self.lock.unlock() }
        self.handle.write(Data(string.utf8))
    }
}
