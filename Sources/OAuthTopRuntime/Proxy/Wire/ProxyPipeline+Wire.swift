import HTTPTypes
import NIOCore
import NIOHTTP1
import OAuthTopConfig

// The pipeline's steps for a request read by the wire path (``ProxyWireHandler``): which of its fields go up, the
// upstream request's bytes, and the ``ProxyPipeline/Exchange`` of a request that takes the async way.

extension ProxyPipeline {
    /// What every upstream request of the wire path carries besides the client's fields, as bytes made once.
    struct WireConstants: Sendable {
        /// The upstream's base path, before the client's target.
        let basePath: [UInt8]
        /// ` HTTP/1.1`, CRLF, `Host: AUTHORITY`, CRLF.
        let afterTarget: [UInt8]
        /// `Via: 1.1 oauthtop`, CRLF (``ProxyHeaders/via``).
        let via: [UInt8]
        /// `NAME: ` of the token header.
        let tokenFieldStart: [UInt8]
        /// The token header's and the critical header's names, which never go up from the client.
        let tokenHeader: [UInt8]
        let criticalHeader: [UInt8]
        /// The statuses whose responses the wire path leaves to NIO's parser and the pipeline's settling: auth errors
        /// (401 and `auth_errors.statuses`) and rate limits (`rate_limit.statuses`).
        let divertedStatuses: Set<Int>

        init(settings: ProxySettings, endpoint: UpstreamEndpoint) {
            self.basePath = Array(endpoint.basePath.utf8)
            self.afterTarget = Array(" HTTP/1.1\r\nHost: \(endpoint.hostField)\r\n".utf8)
            self.via = Array("\(ProxyHeaders.via.name): \(ProxyHeaders.via.value)\r\n".utf8)
            self.tokenFieldStart = Array("\(settings.header.name): ".utf8)
            self.tokenHeader = Array(settings.header.name.utf8)
            self.criticalHeader = Array((settings.quota?.criticalHeader ?? ProxySettings.Quota.defaultCriticalHeader).utf8)
            self.divertedStatuses = Set([401] + settings.authErrors.statuses + settings.rateLimit.statuses)
        }
    }

    /// Whether a client's field goes up: not the client's credentials, `Host`, framing or hop-by-hop fields (the
    /// rules of ``ProxyHeaders/upstreamRequestFields(_:tokenHeader:removing:)``), nor the token header; the critical
    /// header only for the hooks (`keepCritical`).
    func forwards(_ field: WireField, in bytes: UnsafeRawBufferPointer, keepCritical: Bool) -> Bool {
        switch field.kind {
        case .other, .wwwAuthenticate:
            if WireSyntax.equalsIgnoringCase(bytes, field.name, self.wire.tokenHeader) { return false }
            return keepCritical || !WireSyntax.equalsIgnoringCase(bytes, field.name, self.wire.criticalHeader)
        case .authorization, .proxyAuthorization, .host, .contentLength, .transferEncoding, .connection, .expect,
            .upgrade, .hopByHop:
            return false
        }
    }

    /// The upstream request for `head` (read from `bytes`), as ``upstreamHead(_:body:tokenField:)`` makes it for NIO's
    /// encoder: the method, the base path and the target, `Host`, the client's fields that go up, `Via`, and the token
    /// header with `tokenField`. A body-less request of these methods sends no `Content-Length`.
    func wireRequest(
        _ head: WireRequestHead, in bytes: UnsafeRawBufferPointer, tokenField: String, allocator: ByteBufferAllocator
    ) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: head.length + 128 + tokenField.utf8.count)
        buffer.writeString(head.method.name)
        buffer.writeInteger(UInt8(ascii: " "))
        buffer.writeBytes(self.wire.basePath)
        buffer.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[head.target]))
        buffer.writeBytes(self.wire.afterTarget)
        for field in head.fields where self.forwards(field, in: bytes, keepCritical: false) {
            buffer.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[field.name]))
            buffer.writeBytes(Self.colonSpace)
            buffer.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[field.value]))
            buffer.writeBytes(Self.lineEnd)
        }
        buffer.writeBytes(self.wire.via)
        buffer.writeBytes(self.wire.tokenFieldStart)
        buffer.writeString(tokenField)
        buffer.writeBytes(Self.headEnd)
        return buffer
    }

    private static let colonSpace: [UInt8] = [UInt8(ascii: ":"), UInt8(ascii: " ")]
    private static let lineEnd: [UInt8] = [0x0D, 0x0A]
    private static let headEnd: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A]

    /// The request as the async steps take it (``forward(_:)``, ``settle(_:response:token:)``) and the hooks see it:
    /// the hooks' local answer, or the exchange, its fields kept as offsets into `request` (the head's bytes) until
    /// they are asked for.
    func wirePreparation(
        _ head: WireRequestHead, request: ByteBuffer, target: ProxyRequestGuard.Target, eventLoop: any EventLoop
    ) -> Preparation {
        var sawLength = false
        var forwarded: [WireField] = []
        forwarded.reserveCapacity(head.fields.count)
        request.withUnsafeReadableBytes { bytes in
            for field in head.fields {
                if field.kind == .contentLength { sawLength = true }
                if self.forwards(field, in: bytes, keepCritical: true) { forwarded.append(field) }
            }
        }
        let fields = WireRequestFields(bytes: request, fields: forwarded, criticalHeader: self.wire.criticalHeader)
        return self.prepare(
            method: head.method.name, target: target, forwarded: .wire(fields), contentLength: sawLength ? 0 : nil,
            eventLoop: eventLoop
        )
    }

    /// The hooks observe a response read from the bytes, as ``observed(_:_:)`` has them observe one NIO's parser read:
    /// its status and the fields the client gets (those the hooks read, when they say which); a tee sees the whole
    /// body.
    func observed(_ exchange: Exchange, _ response: WireResponse) {
        guard !self.hooks.isPassive else { return }
        let tee = self.hooks.observe(
            exchange.summary, status: HTTPResponse.Status(code: response.status),
            fields: response.clientFields(selecting: self.observedResponseFields)
        )
        guard let tee else { return }
        if response.head.bodyLength > 0 { tee.append(response.body) }
        tee.finish(complete: true)
    }
}
