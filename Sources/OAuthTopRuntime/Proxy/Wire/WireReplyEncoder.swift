import NIOCore
import NIOHTTP1

/// Writes the pipeline's answers as HTTP/1.1 bytes for the wire path (``ProxyWireHandler``), framed as NIO's
/// encoder and ``ProxyConnectionGuard`` frame them on the other path:
/// - a status that cannot have a body (1xx, 204, 304) is sent with neither `Content-Length` nor a body;
/// - an answer with its `Content-Length` keeps it; a whole body without one gets one; a streamed body without one is
///   chunked;
/// - `Connection: close` when the connection ends after the answer.
///
/// Every field written was parsed by NIO's HTTP parser (the upstream's), or is the proxy's own (local answers).
enum WireReplyEncoder {
    /// How the body after a head is framed.
    enum Framing: Equatable {
        /// No body is written (the status has none).
        case none
        /// The body's bytes as they are (its length is in the head).
        case length
        /// Chunks (``chunk(_:into:)``) and an end (``chunkedEnd``).
        case chunked
    }

    /// Writes the head of an answer with `status` and `fields` (without hop-by-hop fields); `bodyLength` is the
    /// whole body's length when it is all here, `nil` for a stream.
    static func head(
        status: Int, fields: HTTPHeaders, bodyLength: Int?, closes: Bool, into buffer: inout ByteBuffer
    ) -> Framing {
        buffer.writeBytes(Self.statusLine(status))
        let mayHaveBody = !(100..<200).contains(status) && status != 204 && status != 304
        var hasLength = false
        for (name, value) in fields {
            if name.utf8.count == 14, name.equalsIgnoringASCIICase("content-length") {
                hasLength = true
                if !mayHaveBody { continue }
            }
            buffer.writeString(name)
            buffer.writeBytes(Self.colonSpace)
            buffer.writeString(value)
            buffer.writeBytes(Self.lineEnd)
        }
        var framing = Framing.length
        if !mayHaveBody {
            framing = .none
        } else if !hasLength {
            if let bodyLength {
                buffer.writeBytes(Self.contentLength)
                buffer.writeString(String(bodyLength))
                buffer.writeBytes(Self.lineEnd)
            } else {
                buffer.writeBytes(Self.transferEncodingChunked)
                framing = .chunked
            }
        }
        if closes { buffer.writeBytes(Self.connectionClose) }
        buffer.writeBytes(Self.lineEnd)
        return framing
    }

    /// Writes one chunk of a chunked body (nothing for an empty one, which would end the body).
    static func chunk(_ bytes: ByteBuffer, into buffer: inout ByteBuffer) {
        guard bytes.readableBytes > 0 else { return }
        buffer.writeString(String(bytes.readableBytes, radix: 16))
        buffer.writeBytes(Self.lineEnd)
        buffer.writeImmutableBuffer(bytes)
        buffer.writeBytes(Self.lineEnd)
    }

    /// The end of a chunked body (no trailers).
    static let chunkedEnd: [UInt8] = Array("0\r\n\r\n".utf8)

    /// `HTTP/1.1 CODE REASON` and CRLF; the common ones made once.
    static func statusLine(_ status: Int) -> [UInt8] {
        switch status {
        case 200: Self.ok
        default: Array("HTTP/1.1 \(status) \(HTTPResponseStatus(statusCode: status).reasonPhrase)\r\n".utf8)
        }
    }

    private static let ok: [UInt8] = Array("HTTP/1.1 200 OK\r\n".utf8)
    private static let colonSpace: [UInt8] = Array(": ".utf8)
    private static let lineEnd: [UInt8] = [0x0D, 0x0A]
    private static let contentLength: [UInt8] = Array("Content-Length: ".utf8)
    private static let transferEncodingChunked: [UInt8] = Array("Transfer-Encoding: chunked\r\n".utf8)
    private static let connectionClose: [UInt8] = Array("Connection: close\r\n".utf8)
}
