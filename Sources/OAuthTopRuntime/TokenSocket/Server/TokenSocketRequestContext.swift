import Hummingbird
import NIOCore

/// The request context of the token socket's router: the connection's channel (for `SO_PEERCRED`)
/// and, once the access middleware admitted it, the peer.
///
/// Routes added by others (``TokenSocketServer``'s `routes`) run behind the same access check and
/// read ``peer`` to record their consumer.
public struct TokenSocketRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The connection.
    public let channel: any Channel
    /// Who asked; set by the access middleware before any route runs.
    public var peer: SocketPeer

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
        self.peer = SocketPeer(transport: .unix)
    }

    /// Only the Prometheus API's `POST` forms have a body; larger ones are refused before decoding.
    public var maxUploadSize: Int { 65_536 }
}
