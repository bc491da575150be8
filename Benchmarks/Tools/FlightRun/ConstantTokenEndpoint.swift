import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// The single-flight run's token endpoint: the same answer as the Go anchor's `net/http` handler
/// (Anchors/go, `flight`), after the same latency, on a loop of its own.
///
/// Why not the demo identity provider: it authenticates the client, parses the form and signs a JWT, so
/// it answered in 6.2 ms instead of 5 with the process idle, and its own work on the busy cores lengthened
/// the round further. The anchor's handler sleeps and writes a constant body; this one does the same, so
/// both token managers wait for the same server.
public enum ConstantTokenEndpoint {
    /// Requests answered so far, by every endpoint started.
    public static let requests = Atomic<Int>(0)

    static let body = #"{"access_token":"fresh-token","token_type":"Bearer","expires_in":3600}"#

    /// The endpoints' loop, for the life of the process.
    static let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    /// Listens on 127.0.0.1 (a free port) on the endpoints' loop, for the life of the process; returns the URL.
    public static func start(latency: TimeAmount) async throws -> String {
        let channel = try await ServerBootstrap(group: ConstantTokenEndpoint.group)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Handler(latency: latency))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        guard let port = channel.localAddress?.port else { throw ChannelError.unknownLocalAddress }
        return "http://127.0.0.1:\(port)/token"
    }

    /// Answers each request, once it has been read whole, after `latency`.
    final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let latency: TimeAmount

        init(latency: TimeAmount) { self.latency = latency }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard case .end = self.unwrapInboundIn(data) else { return }
            ConstantTokenEndpoint.requests.add(1, ordering: .relaxed)
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.eventLoop.scheduleTask(in: self.latency) {
                let context = bound.value
                var headers = HTTPHeaders()
                headers.add(name: "Content-Type", value: "application/json")
                headers.add(name: "Content-Length", value: "\(ConstantTokenEndpoint.body.utf8.count)")
                context.write(
                    NIOAny(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))),
                    promise: nil
                )
                context.write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(string: ConstantTokenEndpoint.body)))), promise: nil)
                context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil)), promise: nil)
            }
        }
    }
}
