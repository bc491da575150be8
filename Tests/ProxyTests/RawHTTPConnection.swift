import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A blocking HTTP/1.1 client connection to 127.0.0.1 for tests that need the bytes on the wire: several requests
/// on one keep-alive connection, pipelined requests, interim `1xx` answers, a connection the server closes. Use it
/// inside ``onThread(_:)``: blocking a cooperative-pool thread (two on this machine) would starve the servers.
///
/// Reads give up after 30 s without a byte (`SO_RCVTIMEO`), so a server that never answers or never closes fails
/// the test instead of hanging it.
final class RawHTTPConnection {
    /// One answer as read off the wire.
    struct Answer: Sendable {
        /// `HTTP/1.1`, `HTTP/1.0`.
        var version: String
        var status: Int
        /// Field names lower-cased, in order.
        var fields: [(name: String, value: String)]
        var body: [UInt8]

        func field(_ name: String) -> String? { self.fields.first { $0.name == name.lowercased() }?.value }
        var text: String { String(decoding: self.body, as: UTF8.self) }
    }

    private let fd: Int32
    private var buffer: [UInt8] = []

    init(port: Int) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ProxyTestFailure("socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw ProxyTestFailure("connect to 127.0.0.1:\(port) failed: errno \(errno)")
        }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        self.fd = fd
    }

    deinit { close(self.fd) }

    /// Ends the client's side of the connection (a FIN): the server reads no more, and may still answer.
    func closeWrite() {
        shutdown(self.fd, Int32(SHUT_WR))
    }

    /// Writes `text` (all of it).
    func send(_ text: String) throws {
        try self.send(Array(text.utf8))
    }

    /// Writes `bytes` (all of them).
    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes {
                Glibc.send(self.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard sent > 0 else { throw ProxyTestFailure("send failed: errno \(errno)") }
            offset += sent
        }
    }

    /// Reads one answer: its head, then its body as framed (none to a `HEAD` or for a `1xx`, `204` or `304`;
    /// `Content-Length`; chunked; else until the server closes).
    ///
    /// - Parameter toHEAD: The answer is to a `HEAD` request (no body whatever the fields say).
    func readAnswer(toHEAD: Bool = false) throws -> Answer {
        let end = try self.fill(until: { $0.firstRange(of: Array("\r\n\r\n".utf8)) })
        let head = String(decoding: self.buffer[..<end.lowerBound], as: UTF8.self)
        self.buffer.removeFirst(end.upperBound)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, statusLine[0].hasPrefix("HTTP/1."), let status = Int(statusLine[1]) else {
            throw ProxyTestFailure("not an HTTP answer: \(head.prefix(80))")
        }
        let fields = lines.compactMap { line -> (name: String, value: String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (line[..<colon].lowercased(), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        var answer = Answer(version: String(statusLine[0]), status: status, fields: fields, body: [])
        if toHEAD || (100..<200).contains(status) || status == 204 || status == 304 { return answer }
        if let length = answer.field("content-length").flatMap({ Int($0) }) {
            _ = try self.fill(until: { $0.count >= length ? length : nil })
            answer.body = Array(self.buffer.prefix(length))
            self.buffer.removeFirst(length)
        } else if answer.field("transfer-encoding")?.lowercased() == "chunked" {
            answer.body = try self.readChunks()
        } else {
            let (bytes, closed) = self.readToClose()
            guard closed else { throw ProxyTestFailure("an answer ended by the close, but no close within 30 s") }
            answer.body = bytes
        }
        return answer
    }

    /// Reads until the server closes the connection: what came, and whether it closed (`false`: no byte for 30 s).
    func readToClose() -> (bytes: [UInt8], closed: Bool) {
        while true {
            switch self.receive() {
            case .some(true): continue
            case .some(false):
                defer { self.buffer.removeAll() }
                return (self.buffer, true)
            case .none:
                return (self.buffer, false)
            }
        }
    }

    private func readChunks() throws -> [UInt8] {
        var body: [UInt8] = []
        while true {
            let line = try self.fill(until: { $0.firstRange(of: Array("\r\n".utf8)) })
            let sizeLine = String(decoding: self.buffer[..<line.lowerBound], as: UTF8.self)
            let size = Int(sizeLine.split(separator: ";").first ?? "", radix: 16) ?? 0
            self.buffer.removeFirst(line.upperBound)
            if size == 0 {
                // No trailer (a blank line), or trailer fields up to a blank line.
                let end = try self.fill(until: { bytes in
                    bytes.starts(with: Array("\r\n".utf8)) ? 2 : bytes.firstRange(of: Array("\r\n\r\n".utf8))?.upperBound
                })
                self.buffer.removeFirst(end)
                return body
            }
            _ = try self.fill(until: { $0.count >= size + 2 ? size + 2 : nil })
            body += self.buffer.prefix(size)
            self.buffer.removeFirst(size + 2)
        }
    }

    /// Receives until `found` finds something in the buffer.
    private func fill<T>(until found: ([UInt8]) -> T?) throws -> T {
        while true {
            if let result = found(self.buffer) { return result }
            switch self.receive() {
            case .some(true): continue
            case .some(false): throw ProxyTestFailure("the server closed the connection mid-answer")
            case .none: throw ProxyTestFailure("no answer within 30 s")
            }
        }
    }

    /// One `recv`: `true` bytes came, `false` the server closed, `nil` the read timed out or failed.
    private func receive() -> Bool? {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(self.fd, $0.baseAddress, $0.count, 0) }
        if count > 0 {
            self.buffer += chunk[0..<count]
            return true
        }
        if count == 0 || errno == ECONNRESET { return false }
        return nil
    }
}

/// Runs blocking client code on a thread of its own (never on the cooperative pool, which serves the proxy).
func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
    }
}

/// Sends `request` over a new connection to 127.0.0.1:`port` and returns what came back until the server closed.
func rawExchange(port: Int, _ request: String) async throws -> String {
    try await onThread {
        let connection = try RawHTTPConnection(port: port)
        try connection.send(request)
        return String(decoding: connection.readToClose().bytes, as: UTF8.self)
    }
}
