import HTTPTypes
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1

/// Records each request's raw method and request-target in two fields of the proxy's own
/// (``ProxyHeaders/rawTarget``, ``ProxyHeaders/rawMethod``) before the conversion to swift-http-types, which
/// turns an absolute-form target (`GET http://other/x`) into a plain path and so would hide it from
/// ``ProxyRequestGuard``. Fields of those names a client sent are dropped first.
final class ProxyTargetRecorder: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(var head) = self.unwrapInboundIn(data) else {
            context.fireChannelRead(data)
            return
        }
        head.headers.remove(name: ProxyHeaders.rawTarget.rawName)
        head.headers.remove(name: ProxyHeaders.rawMethod.rawName)
        head.headers.add(name: ProxyHeaders.rawTarget.rawName, value: head.uri)
        head.headers.add(name: ProxyHeaders.rawMethod.rawName, value: head.method.rawValue)
        // The conversion refuses what it cannot express; the guard refuses it with a proper answer. (A CONNECT is
        // answered before it gets here, by ProxyConnectionGuard; rewritten all the same should it ever pass.)
        if !head.uri.hasPrefix("/") || head.method == .CONNECT { head.uri = "/" }
        if head.method == .CONNECT { head.method = .GET }
        context.fireChannelRead(self.wrapInboundOut(.head(head)))
    }
}
