import Foundation
import OAuthTopRuntime
import OAuthTopTestKit
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite("Token socket: malformed requests")
struct MalformedRequestTests {
    @Test("bad methods, paths, names and sizes get a 4xx JSON error; the server keeps serving")
    func statuses() async throws {
        try await withSocketServer { fixture in
            let socket = fixture.listening.path
            let cases: [(method: String, path: String, extra: [String], status: Int, code: String)] = [
                ("DELETE", "/v1/token/idp", [], 405, "method_not_allowed"),
                ("GET", "/v1/refresh/idp", [], 405, "method_not_allowed"),
                ("GET", "/v1/token/", [], 400, "missing_provider"),
                ("GET", "/v1/token/%2e%2e", [], 400, "malformed_provider"),
                ("GET", "/v1/nothing", [], 404, "not_found"),
                ("GET", "/", [], 404, "not_found"),
                ("GET", "/v1/token/" + String(repeating: "x", count: 3000), [], 414, "uri_too_long"),
                ("POST", "/v1/refresh/idp", ["-H", "Content-Length: 10000000"], 413, "too_large"),
                ("GET", "/v1/token/nope", [], 404, "unknown_provider"),
            ]
            for item in cases {
                let (status, body) = try await curl(socket: socket, item.path, method: item.method, extra: item.extra)
                #expect(status == item.status, "\(item.method) \(item.path.prefix(40))")
                let error = try? JSONDecoder().decode(SocketErrorBody.self, from: Data(body.utf8))
                #expect(error?.error == item.code, "\(item.method) \(item.path.prefix(40)): \(body.prefix(200))")
            }
            let (status, _) = try await curl(socket: socket, "/v1/status")
            #expect(status == 200)
            #expect(fixture.requests(provider: "none", outcome: "not_found") == 2)
            #expect(fixture.requests(provider: "idp", outcome: "method_not_allowed") == 0, "unparsed names: none")
            #expect(fixture.requests(provider: "none", outcome: "method_not_allowed") == 2)
            #expect(fixture.tokenEndpointRequests == 0)
        }
    }

    @Test("bytes that are not HTTP get 400 or a closed connection, never a crash")
    func garbage() async throws {
        try await withSocketServer { fixture in
            for bytes in ["\u{0}\u{1}\u{2}garbage\r\n\r\n", "GET /v1/status HTTP/9.9\r\n\r\n", "G\r\n\r\n",
                          "GET /v1/status HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n"] {
                let answer = rawExchange(socket: fixture.listening.path, Array(bytes.utf8))
                #expect(answer.isEmpty || answer.hasPrefix("HTTP/1.1 4"), "answer: \(answer.prefix(60))")
            }
            let (status, _) = try await curl(socket: fixture.listening.path, "/v1/status")
            #expect(status == 200, "the server still serves")
        }
    }
}

/// Sends `bytes` on a new connection to `socket`, half-closes, and reads the answer until the
/// server closes (or 10 s pass).
func rawExchange(socket path: String, _ bytes: [UInt8], pieces: Int = 1) -> String {
    #if canImport(Glibc)
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    #else
    let fd = socket(AF_UNIX, SOCK_STREAM, 0)
    #endif
    guard fd >= 0 else { return "" }
    defer { close(fd) }
    var timeout = timeval(tv_sec: 10, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { buffer in
        for (index, byte) in path.utf8.enumerated() where index < buffer.count - 1 { buffer[index] = byte }
    }
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
        }
    }
    guard connected == 0 else { return "" }
    // In `pieces` writes 10 ms apart, so that the server reads the request in as many parts.
    let size = max(1, (bytes.count + pieces - 1) / max(1, pieces))
    for start in stride(from: 0, to: bytes.count, by: size) {
        if start > 0 { usleep(10_000) }
        _ = bytes[start..<min(bytes.count, start + size)].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }
    shutdown(fd, Int32(SHUT_WR))
    var answer: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count <= 0 { break }
        answer += buffer[..<count]
    }
    return String(decoding: answer, as: UTF8.self)
}
