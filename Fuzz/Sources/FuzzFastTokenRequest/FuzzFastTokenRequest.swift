import NIOCore
import NIOEmbedded
import NIOHTTP1
import OAuthTopRuntime

/// Feeds a request head to the token socket's fast path parser (`FastTokenRequest.parse`) and, when the
/// fast path would answer it, to NIO's HTTP/1.1 parser too: both must read the same request (a `GET` of the
/// same target, HTTP/1.1, no body, the same `Authorization` value, keep-alive), so that the fast path never
/// answers a request the full parser would read differently (request smuggling, a hidden body).
/// The input is the head up to its blank line; the fuzzer may put anything in it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFastTokenRequest(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    _ = FastTokenRequest.mayStartFastRequest(bytes)
    guard let request = FastTokenRequest.parse(bytes) else { return 0 }
    precondition(!request.provider.isEmpty, "an empty provider name")

    let channel = EmbeddedChannel()
    defer { _ = try? channel.finish() }
    do {
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(HTTPRequestDecoder()))
        var buffer = channel.allocator.buffer(capacity: count + 2)
        buffer.writeBytes(bytes)
        buffer.writeBytes([0x0D, 0x0A])
        try channel.writeInbound(buffer)
    } catch {
        preconditionFailure("the fast path answers a head NIO's parser refuses: \(error)")
    }
    guard case .head(let head)? = try? channel.readInbound(as: HTTPServerRequestPart.self) else {
        preconditionFailure("NIO's parser read no head")
    }
    precondition(head.method == .GET, "NIO read method \(head.method)")
    precondition(head.version == .http1_1, "NIO read version \(head.version)")
    precondition(head.isKeepAlive, "NIO reads a connection that closes")
    guard case .token(let provider)? = try? SocketRoute.parse(method: "GET", target: head.uri), provider == request.provider
    else { preconditionFailure("NIO read another target") }
    let authorization = head.headers["Authorization"]
    precondition(authorization.count == (request.authorization == nil ? 0 : 1), "Authorization read differently")
    // RFC 9110 §5.5: white space around a field value is not part of it. NIO's parser keeps trailing white
    // space; the fast path leaves it out, and so does the full path as Hummingbird hands the value over
    // (swift-http-types' HTTPField), and BearerSecret, which checks both.
    if let value = request.authorization {
        let read = authorization.first.map { String($0.reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed()) }
        precondition(read == value, "Authorization value differs")
    }
    guard case .end? = try? channel.readInbound(as: HTTPServerRequestPart.self) else {
        preconditionFailure("NIO read a body")
    }
    return 0
}
