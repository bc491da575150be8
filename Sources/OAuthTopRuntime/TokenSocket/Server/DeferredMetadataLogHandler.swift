import Logging

/// The log handler of the token socket's HTTP servers: it keeps the logger's metadata as set and
/// hands it to the wrapped handler only with a message.
///
/// Why: Hummingbird tags every request's logger with a request id, and swift-log's
/// `StreamLogHandler` formats all of its metadata again on each such change: 3-4% of the daemon's CPU
/// per token request (`Benchmarks/socket-compare`), for lines that are almost never written.
struct DeferredMetadataLogHandler: LogHandler {
    private var base: any LogHandler
    var metadata: Logger.Metadata

    /// Wraps `logger`'s handler; its metadata moves here.
    init(wrapping logger: Logger) {
        var base = logger.handler
        self.metadata = base.metadata
        base.metadata = [:]
        self.base = base
    }

    var logLevel: Logger.Level {
        get { self.base.logLevel }
        set { self.base.logLevel = newValue }
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { self.base.metadataProvider }
        set { self.base.metadataProvider = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var event = event
        event.metadata = self.metadata.merging(event.metadata ?? [:]) { _, given in given }
        self.base.log(event: event)
    }
}
