import InMemoryLogging
import Logging

/// Everything loggers made by ``logger(label:level:)`` wrote, kept in memory (swift-log's
/// `InMemoryLogHandler`), so tests can check what was logged and that no secret was.
public struct LogCapture: Sendable {
    /// The handler every logger of this capture writes to.
    public let handler = InMemoryLogHandler()

    public init() {}

    /// A logger that writes into this capture, at `level` and above.
    public func logger(label: String, level: Logger.Level = .trace) -> Logger {
        let handler = self.handler
        var logger = Logger(label: label) { _ in handler }
        logger.logLevel = level
        return logger
    }

    /// The entries, in the order they were logged.
    public var entries: [InMemoryLogHandler.Entry] { self.handler.entries }

    /// Each entry as one line of text (level, message, metadata and error), for searching.
    public var lines: [String] {
        self.entries.map { entry in
            var line = "\(entry.level) \(entry.message) \(entry.metadata)"
            if let error = entry.error { line += " error: \(error)" }
            return line
        }
    }
}
