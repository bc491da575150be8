import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Who is on the other end of a token socket connection.
///
/// On the Unix socket the kernel says, through `SO_PEERCRED`: the process id, user and group the
/// peer had when it connected. Over TCP nothing is known beyond the bearer secret.
public struct SocketPeer: Sendable, Hashable {
    /// How the peer connected.
    public struct Transport: Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        public static let unix = Transport(rawValue: "unix")
        public static let tcp = Transport(rawValue: "tcp")
        public var description: String { self.rawValue }
    }

    public var transport: Transport
    public var pid: Int32?
    public var uid: UInt32?
    public var gid: UInt32?

    public init(transport: Transport, pid: Int32? = nil, uid: UInt32? = nil, gid: UInt32? = nil) {
        self.transport = transport
        self.pid = pid
        self.uid = uid
        self.gid = gid
    }

    /// A TCP peer.
    public static let tcp = SocketPeer(transport: .tcp)

    /// The credentials of the Unix-socket peer of `channel`; `nil` where the system cannot say
    /// (not Linux, or not a socket channel), which the access policy refuses.
    public static func unix(of channel: any Channel) async -> SocketPeer? {
        (try? await Self.unixPeer(of: channel).get()) ?? nil
    }

    /// ``unix(of:)`` as a future that never fails; called on the channel's event loop, it is already
    /// complete (the token socket's event-loop fast path reads it synchronously).
    static func unixPeer(of channel: any Channel) -> EventLoopFuture<SocketPeer?> {
        #if os(Linux)
        guard let provider = channel as? any SocketOptionProvider else { return channel.eventLoop.makeSucceededFuture(nil) }
        return Self.peerCredentials(provider)
            .map { SocketPeer(transport: .unix, pid: $0.pid, uid: $0.uid, gid: $0.gid) }
            .recover { _ in nil }
        #else
        return channel.eventLoop.makeSucceededFuture(nil)
        #endif
    }

    /// The Unix peer of `channel` read at once, for handlers on its event loop (the token socket's and the proxy's
    /// fast paths); `nil` when it is not at hand (then the async path decides).
    static func unixNow(of channel: any Channel) -> SocketPeer? {
        var peer: SocketPeer?
        // Complete already on the event loop, so the callback runs before `whenSuccess` returns.
        SocketPeer.unixPeer(of: channel).assumeIsolated().whenSuccess { peer = $0 }
        return peer
    }

    #if os(Linux)
    /// `struct ucred` of `<sys/socket.h>`: three 32-bit fields, which Swift lays out the same way.
    /// (The C type is only visible with `_GNU_SOURCE`.)
    private struct PeerCredentials: Sendable {
        var pid: Int32 = 0
        var uid: UInt32 = 0
        var gid: UInt32 = 0
    }

    // Not public and not inlinable, as swift-nio asks of callers of `unsafeGetSocketOption`.
    private static func peerCredentials(_ provider: any SocketOptionProvider) -> EventLoopFuture<PeerCredentials> {
        provider.unsafeGetSocketOption(level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
    }
    #endif
}
