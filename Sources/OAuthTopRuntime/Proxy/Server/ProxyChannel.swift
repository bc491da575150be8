import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1

/// Hummingbird's HTTP/1.1 child channel with ``ProxyConnectionGuard`` and ``ProxyTargetRecorder`` right behind NIO's
/// request parser, before the conversion to swift-http-types.
struct ProxyChannel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    let http1: HTTP1Channel
    /// Makes the handler that keeps a connection's rules (`CONNECT` refused, `Expect: 100-continue` answered).
    let connectionGuard: @Sendable () -> ProxyConnectionGuard

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        self.http1.setup(channel: channel, logger: logger).flatMapThrowing { value in
            // Right behind NIO's request decoder, so before the conversion (`HTTP1ToHTTPServerCodec`) and before
            // NIO's pipelining handler holds back later requests: the guard, then the recorder.
            let decoder = try channel.pipeline.syncOperations.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try channel.pipeline.syncOperations.addHandler(ProxyTargetRecorder(), position: .after(decoder))
            try channel.pipeline.syncOperations.addHandler(self.connectionGuard(), position: .after(decoder))
            return value
        }
    }

    /// Serves the connection's requests in a task that prefers the connection's own event loop as its
    /// executor, so a request, its upstream exchange (AsyncHTTPClient leases a connection on the loop it is
    /// called from when one is idle) and its response stay on one thread instead of hopping between the
    /// loops and Swift's global executor for each head and chunk.
    func handle(value: Value, logger: Logger) async {
        await withTaskExecutorPreference(EventLoopTaskExecutor(value.channel.eventLoop)) {
            await self.http1.handle(value: value, logger: logger)
        }
    }
}
