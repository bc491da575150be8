import NIOCore
import NIOEmbedded
import NIOHTTP1
import OAuthTopRuntime

/// Feeds bytes to the API proxy's wire path parsers (`WireRequestHead.parse`, `WireResponseHead.parse`) and, when one
/// reads a head, to NIO's HTTP/1.1 parser too: both must read the same request (the same method, target and version,
/// the same fields with the same values in order, keep-alive alike, and no body), so that the wire path never serves a
/// request NIO's parser would read differently (request smuggling, a hidden body); and the same response (status,
/// version, fields, keep-alive, the body's bytes, where the next response starts). The input is the start of a
/// connection's bytes, read both ways.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWireHead(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    if case .head(let response) = bytes.withUnsafeBytes({ WireResponseHead.parse($0, maxBody: 1 << 16) }) {
        checkResponse(bytes, response)
    }
    let parsed = bytes.withUnsafeBytes { WireRequestHead.parse($0) }
    guard case .head(let head) = parsed else { return 0 }
    precondition(head.length <= bytes.count && head.length <= WireRequestHead.maxLength + 2, "a head past the bytes")
    precondition(Array(bytes[(head.length - 4)..<head.length]) == [0x0D, 0x0A, 0x0D, 0x0A], "a head not ending in CRLF CRLF")
    func string(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }

    let channel = EmbeddedChannel()
    defer { _ = try? channel.finish() }
    do {
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(HTTPRequestDecoder()))
        var buffer = channel.allocator.buffer(capacity: head.length)
        buffer.writeBytes(bytes[0..<head.length])
        try channel.writeInbound(buffer)
    } catch {
        preconditionFailure("the wire path reads a head NIO's parser refuses: \(error)")
    }
    guard case .head(let nio)? = try? channel.readInbound(as: HTTPServerRequestPart.self) else {
        preconditionFailure("NIO's parser read no head")
    }
    precondition(nio.method.rawValue == head.method.name, "NIO read method \(nio.method)")
    precondition(nio.version == .http1_1, "NIO read version \(nio.version)")
    precondition(nio.uri == string(head.target), "NIO read another target")
    precondition(nio.isKeepAlive == !head.closes, "NIO reads keep-alive differently")
    let fields = head.fields.map { (string($0.name), string($0.value)) }
    precondition(nio.headers.count == fields.count, "NIO read \(nio.headers.count) fields, the wire path \(fields.count)")
    for ((name, value), field) in zip(nio.headers, fields) {
        precondition(name == field.0, "a field name read differently")
        precondition(value == field.1, "a field value read differently: '\(value)' against '\(field.1)'")
    }
    guard case .end? = try? channel.readInbound(as: HTTPServerRequestPart.self) else {
        preconditionFailure("NIO read a body")
    }
    return 0
}

/// NIO's response parser, after a `GET`, reads the response `WireResponseHead` read alike.
func checkResponse(_ bytes: [UInt8], _ head: WireResponseHead) {
    let total = head.length + head.bodyLength
    guard bytes.count >= total else { return }
    func string(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }
    let channel = EmbeddedChannel()
    defer { _ = try? channel.finish() }
    let decoder = HTTPResponseDecoder()
    do {
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(decoder))
        decoder.write(data: .head(HTTPRequestHead(version: .http1_1, method: .GET, uri: "/")))
        var buffer = channel.allocator.buffer(capacity: total)
        buffer.writeBytes(bytes[0..<total])
        try channel.writeInbound(buffer)
    } catch {
        preconditionFailure("the wire path reads a response NIO's parser refuses: \(error)")
    }
    guard case .head(let nio)? = try? channel.readInbound(as: HTTPClientResponsePart.self) else {
        preconditionFailure("NIO's parser read no response head")
    }
    precondition(Int(nio.status.code) == head.status, "NIO read status \(nio.status.code)")
    precondition(nio.version == .http1_1, "NIO read version \(nio.version)")
    precondition(nio.isKeepAlive == !head.closes, "NIO reads keep-alive differently")
    let fields = head.fields.map { (string($0.name), string($0.value)) }
    precondition(nio.headers.count == fields.count, "NIO read \(nio.headers.count) fields, the wire path \(fields.count)")
    for ((name, value), field) in zip(nio.headers, fields) {
        precondition(name == field.0 && value == field.1, "a response field read differently")
    }
    var body: [UInt8] = []
    while true {
        switch try? channel.readInbound(as: HTTPClientResponsePart.self) {
        case .body(let chunk)?: body += chunk.readableBytesView
        case .end?:
            precondition(body == Array(bytes[head.length..<total]), "NIO read another body")
            return
        default:
            preconditionFailure("NIO read no end where the wire path's body ends")
        }
    }
}
