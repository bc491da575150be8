import AsyncHTTPClient
import Foundation
import OAuthTopRuntime
import OAuthTopTestKit
import Testing
import TokenManager

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The event-loop fast path of `GET /v1/token/{provider}`: a cached token is answered as the slow path
/// answers it, refusals stay refusals, and pipelined requests keep their order.
@Suite("Token socket fast path")
struct FastPathTests {
    static let token = "GET /v1/token/\(SocketFixture.providerName) HTTP/1.1\r\nHost: localhost\r\n\r\n"
    static let status = "GET /v1/status HTTP/1.1\r\nHost: localhost\r\n\r\n"
    static let refresh = "POST /v1/refresh/\(SocketFixture.providerName) HTTP/1.1\r\nHost: localhost\r\n\r\n"

    @Test("a cached token gets the slow path's status, headers and body, on a kept-alive connection; counted the same")
    func sameAnswer() async throws {
        try await withSocketServer { fixture in
            let path = fixture.listening.path
            // No token yet: the slow path fetches one.
            let (first, _) = try await curl(socket: path, "/v1/token/\(SocketFixture.providerName)")
            #expect(first == 200)
            #expect(fixture.tokenEndpointRequests == 1)

            // Answered on the event loop: nothing is outstanding and the token is cached.
            let fast = try #require(HTTPAnswer.parse(await exchange(socket: path, Array(Self.token.utf8))).first)
            // Behind a status request, the token request waits for it and goes the slow way.
            let pipelined = HTTPAnswer.parse(await exchange(socket: path, Array((Self.status + Self.token).utf8)))
            try #require(pipelined.count == 2)
            let slow = pipelined[1]
            #expect(fast.status == 200 && slow.status == 200)
            #expect(fast.headers.map(\.name) == slow.headers.map(\.name), "\(fast.headers) vs \(slow.headers)")
            #expect(fast.header("content-type") == "application/json")
            #expect(fast.header("content-length") == String(fast.body.utf8.count))
            #expect(fast.header("date")?.hasSuffix(" GMT") == true)
            let fastToken = try JSONDecoder().decode(SocketToken.self, from: Data(fast.body.utf8))
            let slowToken = try JSONDecoder().decode(SocketToken.self, from: Data(slow.body.utf8))
            #expect(fastToken.accessToken == slowToken.accessToken)
            #expect(fastToken.tokenType == slowToken.tokenType && fastToken.expiresAt == slowToken.expiresAt)
            // The slow answer came later: its seconds left are no more (not a wall-time bound: a loaded machine
            // took two seconds between the two).
            #expect(slowToken.expiresIn <= fastToken.expiresIn)
            // Byte for byte the same body, but for the seconds left, which may have ticked in between.
            let seconds = /"expires_in":[0-9]+/
            #expect(fast.body.replacing(seconds, with: "") == slow.body.replacing(seconds, with: ""))

            // Three on one connection in one write: three answers, in order, the connection kept alive.
            let three = HTTPAnswer.parse(await exchange(socket: path, Array((Self.token + Self.token + Self.token).utf8)))
            #expect(three.map(\.status) == [200, 200, 200])
            #expect(fixture.tokenEndpointRequests == 1, "the cached token was handed out, no refresh")
            #expect(fixture.requests(outcome: "success") == 6)

            let (statusCode, body) = try await curl(socket: path, "/v1/status")
            #expect(statusCode == 200)
            let decoded = try JSONDecoder().decode(SocketStatus.self, from: Data(body.utf8))
            let own = try #require(decoded.consumers.first { $0.pid == getpid() })
            #expect(own.requests == 6, "fast 1 + status and token 2 + 3 fast")
            #expect(own.lastProvider == SocketFixture.providerName && own.transport == "unix")
        }
    }

    @Test("pipelined requests on one connection are answered in the order sent")
    func pipelinedOrder() async throws {
        var options = SocketOptions()
        options.baseLatency = .milliseconds(300)
        try await withSocketServer(options) { fixture in
            let path = fixture.listening.path
            let (first, _) = try await curl(socket: path, "/v1/token/\(SocketFixture.providerName)")
            #expect(first == 200)
            let before = try #require(fixture.manager.cachedToken(for: fixture.provider))

            // A refresh that takes 300 ms, then two token requests the fast path could answer at once.
            let answers = HTTPAnswer.parse(
                await exchange(socket: path, Array((Self.refresh + Self.token + Self.token).utf8))
            )
            try #require(answers.count == 3)
            #expect(answers.map(\.status) == [200, 200, 200])
            let outcome = try JSONDecoder().decode(SocketRefreshOutcome.self, from: Data(answers[0].body.utf8))
            #expect(outcome.succeeded)
            let after = try #require(fixture.manager.cachedToken(for: fixture.provider))
            #expect(after.value != before.value)
            for answer in answers.dropFirst() {
                let token = try JSONDecoder().decode(SocketToken.self, from: Data(answer.body.utf8))
                #expect(token.accessToken == after.value, "a token request after the refresh gets the new token")
            }

            // A fast one, a slow one, and one behind it.
            let mixed = HTTPAnswer.parse(await exchange(socket: path, Array((Self.token + Self.status + Self.token).utf8)))
            try #require(mixed.count == 3)
            #expect(mixed[0].body.contains("access_token"))
            #expect(mixed[1].body.contains("\"daemon\"") && !mixed[1].body.contains("access_token"))
            #expect(mixed[2].body.contains("access_token"))
            #expect(fixture.tokenEndpointRequests == 2)
        }
    }

    @Test("a client that writes requests and leaves at once crashes nothing; the server keeps serving")
    func clientLeaves() async throws {
        try await withSocketServer { fixture in
            let path = fixture.listening.path
            let (first, _) = try await curl(socket: path, "/v1/token/\(SocketFixture.providerName)")
            #expect(first == 200)
            let many = String(repeating: Self.token, count: 50) + Self.status + Self.token
            for _ in 0..<20 { sendAndLeave(socket: path, Array(many.utf8)) }
            let (status, body) = try await curl(socket: path, "/v1/token/\(SocketFixture.providerName)")
            #expect(status == 200 && body.contains("access_token"))
        }
    }

    @Test("a head that arrives in pieces, or is longer than the fast path reads, gets the same answer")
    func piecesAndLongHeads() async throws {
        try await withSocketServer { fixture in
            let path = fixture.listening.path
            let (first, _) = try await curl(socket: path, "/v1/token/\(SocketFixture.providerName)")
            #expect(first == 200)
            let whole = try #require(HTTPAnswer.parse(await exchange(socket: path, Array(Self.token.utf8))).first)
            // Byte by byte, two requests: the fast path waits for each blank line.
            let twice = Array((Self.token + Self.token).utf8)
            let pieces = HTTPAnswer.parse(await exchange(socket: path, twice, pieces: twice.count))
            #expect(pieces.map(\.status) == [200, 200])
            #expect(pieces.first?.headers.map(\.name) == whole.headers.map(\.name))
            // A 10 KiB header: past the fast path's 8 KiB, within the HTTP parser's limit; then a token request
            // behind it on the same connection.
            let long = "GET /v1/token/\(SocketFixture.providerName) HTTP/1.1\r\nX-Padding: "
                + String(repeating: "p", count: 10 * 1024) + "\r\n\r\n"
            let answers = HTTPAnswer.parse(await exchange(socket: path, Array((long + Self.token).utf8), pieces: 4))
            #expect(answers.map(\.status) == [200, 200])
            #expect(answers.allSatisfy { $0.body.contains("access_token") })
            #expect(fixture.tokenEndpointRequests == 1)
            #expect(fixture.requests(outcome: "success") == 6)
        }
    }

    @Test("with a token cached, another uid is still refused with 403", .enabled(if: SocketAccessTests.isRoot))
    func otherUIDRefusedWithCachedToken() async throws {
        var options = SocketOptions()
        options.mode = 0o666
        options.directoryMode = 0o755
        try await withSocketServer(options) { fixture in
            let path = fixture.listening.path
            let (own, _) = try await curl(socket: path, "/v1/token/\(SocketFixture.providerName)")
            #expect(own == 200)
            #expect(fixture.manager.cachedToken(for: fixture.provider) != nil)
            let (status, body) = try await curl(
                socket: path, "/v1/token/\(SocketFixture.providerName)", asUser: SocketAccessTests.nobody
            )
            #expect(status == 403)
            #expect(!body.contains("access_token"))
            #expect(fixture.requests(provider: "none", outcome: "forbidden") == 1)
            #expect(fixture.requests(outcome: "success") == 1)
        }
    }

    @Test("TCP with a token cached: a missing or wrong bearer secret still gets 401; the right one is served, with white space after it too")
    func tcpRefusedWithCachedToken() async throws {
        var options = SocketOptions()
        options.tcp = true
        try await withSocketServer(options) { fixture in
            let url = try #require(fixture.listening.tcpURL) + "/v1/token/\(SocketFixture.providerName)"
            let secret = try BearerSecret.read(from: try #require(fixture.listening.secretFile))
            func get(_ header: String?) async throws -> (Int, String, String?) {
                var request = HTTPClientRequest(url: url)
                if let header { request.headers.add(name: "Authorization", value: header) }
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
                let body = String(buffer: try await response.body.collect(upTo: 1 << 16))
                return (Int(response.status.code), body, response.headers["Content-Type"].first)
            }
            // No token cached yet: the full path answers, with white space after the secret (RFC 9110 §5.5: not
            // part of the value; the fast path leaves it out, see BearerSecretTests).
            let (first, _, _) = try await get(secret.authorizationHeader + " ")
            #expect(first == 200)
            for header in [nil, "Bearer wrong"] {
                let (status, body, _) = try await get(header)
                #expect(status == 401)
                #expect(!body.contains("access_token"))
            }
            #expect(fixture.requests(provider: "none", outcome: "unauthorized") == 2)
            for attempt in 0..<5 {
                // Cached: the fast path answers, with and without the trailing space.
                let (status, body, type) = try await get(secret.authorizationHeader + (attempt % 2 == 0 ? "" : " "))
                #expect(status == 200 && body.contains("access_token") && type == "application/json")
            }
            #expect(fixture.requests(outcome: "success") == 6)
            #expect(fixture.tokenEndpointRequests == 1)
        }
    }
}

/// One HTTP/1.1 response read off a raw connection.
struct HTTPAnswer {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: String

    func header(_ name: String) -> String? {
        self.headers.first { $0.name.lowercased() == name }?.value
    }

    /// The responses in `text`, in order (bodies framed by `Content-Length`).
    static func parse(_ text: String) -> [HTTPAnswer] {
        var rest = Substring(text)
        var answers: [HTTPAnswer] = []
        while let end = rest.range(of: "\r\n\r\n") {
            let lines = rest[..<end.lowerBound].components(separatedBy: "\r\n")
            guard let statusLine = lines.first, statusLine.hasPrefix("HTTP/1.1 "),
                let status = Int(statusLine.dropFirst(9).prefix(3))
            else { break }
            let headers = lines.dropFirst().compactMap { line -> (name: String, value: String)? in
                guard let colon = line.firstIndex(of: ":") else { return nil }
                return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
            }
            let length = headers.first { $0.name.lowercased() == "content-length" }.flatMap { Int($0.value) } ?? 0
            let bodyStart = rest.utf8.index(end.upperBound, offsetBy: 0)
            let bodyBytes = rest.utf8[bodyStart...].prefix(length)
            answers.append(HTTPAnswer(status: status, headers: headers, body: String(decoding: bodyBytes, as: UTF8.self)))
            rest = Substring(rest.utf8[bodyBytes.endIndex...])
        }
        return answers
    }
}

/// ``rawExchange(socket:_:)`` on a thread of its own: it blocks until the server closes, and a blocked
/// thread of Swift's small cooperative pool would hold up the server's own tasks (the slow path).
func exchange(socket path: String, _ bytes: [UInt8], pieces: Int = 1) async -> String {
    await withCheckedContinuation { continuation in
        Thread.detachNewThread { continuation.resume(returning: rawExchange(socket: path, bytes, pieces: pieces)) }
    }
}

/// Connects to the Unix socket at `path`, writes `bytes` and closes without reading.
func sendAndLeave(socket path: String, _ bytes: [UInt8]) {
    #if canImport(Glibc)
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    #else
    let fd = socket(AF_UNIX, SOCK_STREAM, 0)
    #endif
    guard fd >= 0 else { return }
    defer { close(fd) }
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
    guard connected == 0 else { return }
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
}
