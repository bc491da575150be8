import HummingbirdCore
import Logging
import NIOCore

/// Hummingbird's HTTP/1.1 child channel with ``TokenFastPathHandler`` in front of its HTTP parser.
///
/// `HTTP1Channel.Configuration.additionalChannelHandlers` would put a handler behind the parser and the
/// HTTPTypes conversion, which cost more than the rest of a cached token's answer; this wrapper adds the
/// fast path first, then lets `HTTP1Channel` set up the rest of the pipeline as it always does.
struct TokenSocketChannel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    let http1: HTTP1Channel
    let fastPath: @Sendable () -> TokenFastPathHandler

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        do {
            try channel.pipeline.syncOperations.addHandler(self.fastPath())
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return self.http1.setup(channel: channel, logger: logger)
    }

    func handle(value: Value, logger: Logger) async {
        await self.http1.handle(value: value, logger: logger)
    }
}
