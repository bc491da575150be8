import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1

/// A proxy listener's child channel, for Hummingbird's server (which binds, accepts and shuts down
/// gracefully): ``ProxyConnectRefusal`` in front of NIO's HTTP/1.1 server pipeline (with pipelining
/// assistance, which also closes idle connections when the server quiesces), no conversion to
/// swift-http-types, and each connection served by ``ProxyConnection`` in a task that prefers the
/// connection's own event loop as its executor, so that a request, its upstream exchange (leased on the same
/// loop when an idle connection is there) and its answer stay on one thread.
struct ProxyChannel: ServerChildChannel {
    typealias Value = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>

    let pipeline: ProxyPipeline
    let admission: ProxyPipeline.Admission
    /// Makes the handler that refuses a `CONNECT` in front of the parser.
    let connectRefusal: @Sendable () -> ProxyConnectRefusal

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            let sync = channel.pipeline.syncOperations
            try sync.addHandler(self.connectRefusal())
            try sync.configureHTTPServerPipeline(withPipeliningAssistance: true, withErrorHandling: true)
            return try NIOAsyncChannel(
                wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true)
            )
        }
    }

    func handle(value: Value, logger: Logger) async {
        await withTaskExecutorPreference(EventLoopTaskExecutor(value.channel.eventLoop)) {
            await ProxyConnection(channel: value, pipeline: self.pipeline, admission: self.admission, logger: logger)
                .serve()
        }
    }
}
