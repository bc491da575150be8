import Hummingbird
import NIOCore

/// The request context of a proxy listener: the connection's channel, for `SO_PEERCRED` on a Unix socket.
public struct ProxyRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The connection.
    public let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }
}
