import HTTPTypes
import NIOCore

/// An upstream's response read whole from the bytes by ``UpstreamWireHandler``: its head (``WireResponseHead``) and
/// the bytes of the head and the body. The client's answer is made from the same bytes
/// (``answer(clientCloses:allocator:)``); swift-http-types' fields are made only for hooks that observe responses, and
/// only those they read (``clientFields(selecting:)``).
struct WireResponse {
    let head: WireResponseHead
    /// The head and the body, readable from the head's first byte.
    let bytes: ByteBuffer

    var status: Int { self.head.status }

    /// The body.
    var body: ByteBuffer {
        self.bytes.getSlice(at: self.bytes.readerIndex + self.head.length, length: self.head.bodyLength)!
    }

    /// The fields the client gets, as swift-http-types' (for the hooks): those `selection` selects, or all.
    func clientFields(selecting selection: WireFieldMatcher? = nil) -> HTTPFields {
        self.bytes.withUnsafeReadableBytes { bytes in
            var fields = HTTPFields()
            fields.reserveCapacity(selection == nil ? self.head.fields.count : 2)
            for field in self.head.fields where self.head.passes(field) {
                if let selection, !selection.selects(bytes, field.name) { continue }
                let name = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[field.name]), as: UTF8.self)
                // (A token, which every name the parser read is.)
                guard let name = HTTPField.Name(name) else { continue }
                fields.append(
                    HTTPField(name: name, value: String(decoding: UnsafeRawBufferPointer(rebasing: bytes[field.value]), as: UTF8.self))
                )
            }
            return fields
        }
    }

    /// The client's answer: the status line as NIO's encoder writes it, the fields the client gets (not hop-by-hop
    /// ones; no length for 204 and 304), `Connection: close` when the client's connection ends after it, and the body.
    func answer(clientCloses: Bool, allocator: ByteBufferAllocator) -> ByteBuffer {
        self.bytes.withUnsafeReadableBytes { bytes in
            var buffer = allocator.buffer(capacity: self.head.length + self.head.bodyLength + 32)
            buffer.writeBytes(WireReplyEncoder.statusLine(self.head.status))
            for field in self.head.fields where self.head.passes(field) {
                buffer.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[field.name]))
                buffer.writeBytes(Self.colonSpace)
                buffer.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[field.value]))
                buffer.writeBytes(Self.lineEnd)
            }
            if clientCloses { buffer.writeBytes(Self.connectionClose) }
            buffer.writeBytes(Self.lineEnd)
            buffer.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[self.head.length..<(self.head.length + self.head.bodyLength)]))
            return buffer
        }
    }

    private static let colonSpace: [UInt8] = Array(": ".utf8)
    private static let lineEnd: [UInt8] = [0x0D, 0x0A]
    private static let connectionClose: [UInt8] = Array("Connection: close\r\n".utf8)
}
