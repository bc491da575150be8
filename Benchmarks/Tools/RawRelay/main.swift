import NIOCore
import NIOPosix

// raw-relay LISTEN_PORT UPSTREAM_PORT: a TCP relay on SwiftNIO that parses nothing. Each client connection gets its
// own upstream connection on the same event loop (two loops, as oauthtop's proxy has), and bytes go through as
// they are read: per request two reads and two writes, the least any proxy on NIO does. Benchmarks/proxy-compare
// runs it as its `relay` target, a reference for how much of a proxied request's cost is NIO's I/O and how much is
// HTTP and the proxy's own work. Loopback only; for benchmarks, never a real proxy (no header is replaced).

guard CommandLine.arguments.count == 3, let listenPort = Int(CommandLine.arguments[1]),
    let upstreamPort = Int(CommandLine.arguments[2])
else {
    print("usage: raw-relay LISTEN_PORT UPSTREAM_PORT (both on 127.0.0.1)")
    exit(2)
}

/// One side of a pair: what it reads is written to the other side, flushed when the read ends.
final class Relay: ChannelInboundHandler, @unchecked Sendable {
    // Unchecked: both sides of a pair live on one event loop, and only that loop touches them.
    typealias InboundIn = ByteBuffer
    private var peer: (any Channel)?
    private var pending: [ByteBuffer] = []

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = Self.unwrapInboundIn(data)
        if let peer { peer.write(buffer, promise: nil) } else { self.pending.append(buffer) }
    }

    func channelReadComplete(context: ChannelHandlerContext) { self.peer?.flush() }

    func channelInactive(context: ChannelHandlerContext) { self.peer?.close(promise: nil) }

    /// Connects this side to `peer`, writing what arrived before it was there.
    func attach(_ peer: any Channel) {
        self.peer = peer
        for buffer in self.pending { peer.write(buffer, promise: nil) }
        self.pending = []
        peer.flush()
    }
}

let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
let server = try ServerBootstrap(group: group)
    .serverChannelOption(.backlog, value: 1024)
    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
    .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
    .childChannelInitializer { client in
        let down = Relay()
        let up = Relay()
        return client.pipeline.addHandler(down).flatMap {
            ClientBootstrap(group: client.eventLoop)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { $0.pipeline.addHandler(up) }
                .connect(host: "127.0.0.1", port: upstreamPort)
                .map { upstream in
                    up.attach(client)
                    down.attach(upstream)
                }
        }
    }
    .bind(host: "127.0.0.1", port: listenPort).wait()
print("http://127.0.0.1:\(listenPort)/")
try server.closeFuture.wait()
