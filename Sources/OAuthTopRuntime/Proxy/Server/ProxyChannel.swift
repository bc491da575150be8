import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import RedisClient  // EventLoopTaskExecutor

/// A proxy listener's child channel, for Hummingbird's server (which binds, accepts and shuts down
/// gracefully): NIO's HTTP/1.1 server pipeline (without its pipelining handler: ``ProxyConnectionGuard``, right
/// behind the parser, keeps the order of answers and closes connections when the server quiesces), no conversion to
/// swift-http-types, ``ProxyFastPathHandler`` (body-less requests served on the event loop, without a task), and
/// the rest of each connection served by ``ProxyConnection`` in a task that prefers the connection's own event loop
/// as its executor, so that a request, its upstream exchange (leased on the same loop when an idle connection is
/// there) and its answer stay on one thread.
struct ProxyChannel: ServerChildChannel {
    typealias Value = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>

    let pipeline: ProxyPipeline
    let admission: ProxyPipeline.Admission
    /// Makes the handler that keeps a connection's rules (`CONNECT` refused, `Expect: 100-continue` answered).
    let connectionGuard: @Sendable () -> ProxyConnectionGuard

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            let sync = channel.pipeline.syncOperations
            // No outbound header validation: every field the proxy sends was parsed by NIO's parser (which refuses
            // what the validator would), checked by the configuration's parser, or is the proxy's own, and the
            // token is checked before it is attached (``ProxyHeaders/isSafeFieldValue(_:)``).
            // No automatic framing either: ``ProxyConnectionGuard`` frames each answer.
            var encoder = HTTPResponseEncoder.Configuration()
            encoder.automaticallySetFramingHeaders = false
            try sync.configureHTTPServerPipeline(
                withPipeliningAssistance: false, withErrorHandling: true, withOutboundHeaderValidation: false,
                withEncoderConfiguration: encoder
            )
            // The guard sees each head as it is parsed.
            let decoder = try sync.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            let connectionGuard = self.connectionGuard()
            try sync.addHandler(connectionGuard, position: .after(decoder))
            try sync.addHandler(
                ProxyFastPathHandler(pipeline: self.pipeline, admission: self.admission), position: .after(connectionGuard)
            )
            // In front of everything: the common requests, served from the bytes.
            try sync.addHandler(ProxyWireHandler(pipeline: self.pipeline, admission: self.admission), position: .first)
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
