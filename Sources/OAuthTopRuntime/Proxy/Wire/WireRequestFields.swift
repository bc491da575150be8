import HTTPTypes
import NIOCore
import NIOHTTP1

/// The fields of a request the wire path read that go up to the upstream (the critical header among them), as
/// offsets into the head's bytes. The hooks' swift-http-types fields and the async steps' NIO headers are made from
/// them only when asked for: a request forwarded at once needs neither.
struct WireRequestFields: Sendable {
    /// The request's head.
    let bytes: ByteBuffer
    /// The fields that go up, in order, with the critical header.
    let fields: [WireField]
    /// The critical header's name, which the hooks see and the upstream does not.
    let criticalHeader: [UInt8]

    /// The fields as the hooks see them: with the critical header, and `Via`.
    var httpFields: HTTPFields {
        var result = HTTPFields()
        result.reserveCapacity(self.fields.count + 1)
        self.each(withCritical: true) { name, value in
            // (A token, which every name the parser read is.)
            if let name = HTTPField.Name(name) { result.append(HTTPField(name: name, value: value)) }
        }
        return result
    }

    /// The fields as they go up, for NIO's encoder: without the critical header, with `Via`.
    var upstreamHeaders: HTTPHeaders {
        var result = HTTPHeaders()
        result.reserveCapacity(self.fields.count + 1)
        self.each(withCritical: false) { name, value in result.add(name: name, value: value) }
        return result
    }

    private func each(withCritical: Bool, _ body: (String, String) -> Void) {
        self.bytes.withUnsafeReadableBytes { bytes in
            for field in self.fields {
                if !withCritical, WireSyntax.equalsIgnoringCase(bytes, field.name, self.criticalHeader) { continue }
                body(
                    String(decoding: UnsafeRawBufferPointer(rebasing: bytes[field.name]), as: UTF8.self),
                    String(decoding: UnsafeRawBufferPointer(rebasing: bytes[field.value]), as: UTF8.self)
                )
            }
        }
        body(ProxyHeaders.via.name, ProxyHeaders.via.value)
    }
}
